using System.Diagnostics;
using System.Text;
using Xunit;

namespace Analytics.Vector.Tests.Compression;

/// <summary>A unique temporary directory per test class, deleted afterwards, plus deterministic sample data.</summary>
public sealed class CompressionTestFiles : IDisposable
{
    public CompressionTestFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "analytics-compression-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary>NDJSON-like lines: compressible like real input, large enough to span many 128 KiB zstd blocks.</summary>
    public static byte[] Lines(int count, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            text.Append("{\"id\":").Append(i).Append(",\"user\":\"u").Append(random.Next(1000))
                .Append("\",\"score\":").Append(random.NextDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture))
                .Append("}\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static byte[] RandomBytes(int count, int seed)
    {
        byte[] bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The zstd CLI's output for <paramref name="data"/> (with its content checksum), or null without the CLI.</summary>
    public byte[]? ZstdCli(byte[] data, string arguments = "-q -c") => Cli("zstd", data, arguments);

    /// <summary>The lz4 CLI's frame for <paramref name="data"/>, or null without the CLI.</summary>
    public byte[]? Lz4Cli(byte[] data, string arguments = "-q -c") => Cli("lz4", data, arguments);

    /// <summary>The gzip CLI's output for <paramref name="data"/>, or null without the CLI.</summary>
    public byte[]? GzipCli(byte[] data, string arguments = "-c") => Cli("gzip", data, arguments);

    private byte[]? Cli(string tool, byte[] data, string arguments)
    {
        string input = Write("cli-input-" + Guid.NewGuid().ToString("N"), data);
        try
        {
            using var process = Process.Start(new ProcessStartInfo(tool, arguments + " \"" + input + "\"")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            using var output = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            return output.ToArray();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        finally
        {
            File.Delete(input);
        }
    }

    /// <summary>
    /// Decodes <paramref name="compressed"/> (expected to hold <paramref name="expectedLength"/> bytes) several times with
    /// 1000-byte reads after the first one; returns the fewest bytes any pass after the first allocated while reading.
    /// The first pass warms every path (including the end of input); a later one may still see the JIT swap tiers.
    /// </summary>
    public static long FewestBytesAllocatedReading(Func<Stream, Stream> decoder, byte[] compressed, long expectedLength)
    {
        byte[] chunk = new byte[1000];
        long fewest = long.MaxValue;
        for (int pass = 0; pass < 4; pass++)
        {
            using Stream stream = decoder(new MemoryStream(compressed));
            long total = stream.Read(chunk);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int n = stream.Read(chunk); n > 0; n = stream.Read(chunk))
            {
                total += n;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(expectedLength, total);
            if (pass > 0)
            {
                fewest = Math.Min(fewest, allocated);
            }
        }
        return fewest;
    }

    /// <summary>Reads everything with read sizes drawn from 1..<paramref name="maxRead"/>.</summary>
    public static byte[] ReadAllRandomSizes(Stream stream, int maxRead, int seed)
    {
        var random = new Random(seed);
        byte[] chunk = new byte[maxRead];
        using var all = new MemoryStream();
        while (true)
        {
            int n = stream.Read(chunk, 0, random.Next(1, maxRead + 1));
            if (n == 0)
            {
                return all.ToArray();
            }
            all.Write(chunk, 0, n);
        }
    }
}

/// <summary>Hides seeking so the non-seekable sniffing path (replaying the magic bytes) is exercised.</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public bool Disposed { get; private set; }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 3));
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
