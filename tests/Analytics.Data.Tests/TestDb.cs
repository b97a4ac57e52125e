using Analytics.Data;

namespace Analytics.Data.Tests;

/// <summary>Fresh databases for tests: a process-shared in-memory database with a unique name per test.</summary>
internal static class TestDb
{
    public static string NewConnectionString() => $"Data Source=:memory:{Guid.NewGuid():N}";

    public static AnalyticsConnection Open(string? connectionString = null)
    {
        AnalyticsConnection connection = new(connectionString ?? NewConnectionString());
        connection.Open();
        return connection;
    }

    public static int Execute(this AnalyticsConnection connection, string text)
    {
        using AnalyticsCommand command = connection.CreateCommand();
        command.CommandText = text;
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(this AnalyticsConnection connection, string text, params (string Name, object? Value)[] parameters)
    {
        using AnalyticsCommand command = connection.CreateCommand();
        command.CommandText = text;
        foreach ((string name, object? value) in parameters)
        {
            command.Parameters.Add(name, value);
        }
        return command.ExecuteScalar();
    }

    /// <summary>A table <c>events(id int, score float, name string, ts timestamp)</c> with <paramref name="rows"/> rows (id = 0..rows-1).</summary>
    public static void CreateEvents(this AnalyticsConnection connection, int rows)
    {
        connection.Execute("CREATE TABLE events (id int, score float, name string, ts timestamp)");
        using AnalyticsAppender appender = connection.CreateAppender("events");
        DateTime start = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int i = 0; i < rows; i++)
        {
            appender.CreateRow().AppendValue(i).AppendValue(i * 0.5).AppendValue("n" + (i % 10)).AppendValue(start.AddSeconds(i)).EndRow();
        }
    }

    public static string TempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "analytics-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
