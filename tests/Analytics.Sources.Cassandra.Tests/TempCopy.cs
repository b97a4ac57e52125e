namespace Analytics.Sources.Cassandra.Tests;

/// <summary>A writable copy of a fixture set in a fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempCopy : IDisposable
{
    public TempCopy(string set, Func<string, bool>? include = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "sstable-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        foreach (string file in System.IO.Directory.EnumerateFiles(Fixtures.Dir(set)))
        {
            string name = Path.GetFileName(file);
            if (include is null || include(name))
            {
                File.Copy(file, Path.Combine(Directory, name));
            }
        }
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public void FlipByte(string name, long offset)
    {
        using FileStream stream = new(PathOf(name), FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0x5A));
    }

    public void Truncate(string name, long length)
    {
        using FileStream stream = new(PathOf(name), FileMode.Open, FileAccess.ReadWrite);
        stream.SetLength(length);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
