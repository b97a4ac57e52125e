using Analytics.Engine.Execution;
using Xunit;

namespace Analytics.Engine.Tests.Execution;

/// <summary>
/// The engine's dedicated threads (<see cref="EngineThreads"/>): work runs with the caller's execution context, its
/// exception reaches the waiter, a finished thread takes the next work instead of a new thread being started, work
/// that blocks gets a thread of its own, and an idle thread ends after the pool's idle lifetime.
/// </summary>
public class EngineThreadsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Work_runs_with_the_callers_execution_context_and_its_exception_reaches_the_waiter()
    {
        EngineThreads pool = new(TimeSpan.FromSeconds(30));
        AsyncLocal<string> flowing = new() { Value = "caller" };
        string? seen = null;
        await pool.Run(() => seen = flowing.Value).WaitAsync(Timeout);
        Assert.Equal("caller", seen);

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            pool.Run(() => throw new InvalidDataException("bad block")).WaitAsync(Timeout));
        Assert.Equal("bad block", error.Message);
    }

    [Fact]
    public async Task A_finished_thread_takes_the_next_work()
    {
        EngineThreads pool = new(TimeSpan.FromSeconds(30));
        int first = 0;
        await pool.Run(() => first = Environment.CurrentManagedThreadId).WaitAsync(Timeout);
        WaitUntil(() => pool.IdleCount == 1);
        int second = 0;
        await pool.Run(() => second = Environment.CurrentManagedThreadId).WaitAsync(Timeout);
        Assert.Equal(first, second);
        Assert.NotEqual(Environment.CurrentManagedThreadId, first);
    }

    [Fact]
    public async Task Work_that_waits_for_other_work_gets_a_thread_of_its_own()
    {
        EngineThreads pool = new(TimeSpan.FromSeconds(30));
        using ManualResetEventSlim released = new();
        Task waiting = pool.Run(() => Assert.True(released.Wait(Timeout)));
        Task releasing = pool.Run(released.Set);
        await Task.WhenAll(waiting, releasing).WaitAsync(Timeout);
    }

    [Fact]
    public async Task Idle_threads_end_after_the_idle_lifetime_and_the_pool_starts_new_ones()
    {
        EngineThreads pool = new(TimeSpan.FromMilliseconds(500));
        using ManualResetEventSlim released = new();
        Task[] blocked = [pool.Run(() => released.Wait(Timeout)), pool.Run(() => released.Wait(Timeout))];
        released.Set();
        await Task.WhenAll(blocked).WaitAsync(Timeout);
        WaitUntil(() => pool.IdleCount == 2);
        WaitUntil(() => pool.IdleCount == 0);
        int ran = 0;
        await pool.Run(() => ran = 1).WaitAsync(Timeout);
        Assert.Equal(1, ran);
    }

    private static void WaitUntil(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in 30 s");
            Thread.Sleep(5);
        }
    }
}
