using Analytics.Vector.Types;

namespace Analytics.Engine.Functions.Scalars.Geo;

/// <summary>
/// Prepared geometries of areas that vary per row (e.g. a zone column in a nested-loop join), one cache per thread
/// keyed by the area's bytes: every distinct area is parsed and prepared once per thread, not once per row. The cache
/// forgets everything when it reaches <see cref="MaxEntries"/> areas, which bounds its memory.
/// </summary>
internal sealed class PreparedGeometryCache
{
    private const int MaxEntries = 4096;

    [ThreadStatic]
    private static PreparedGeometryCache? t_current;

    private readonly Dictionary<int, List<(byte[] Bytes, TypeId Type, PreparedArea Prepared)>> _byHash = [];
    private int _entries;

    public static PreparedGeometryCache Current => t_current ??= new PreparedGeometryCache();

    public PreparedArea Get(string function, LogicalType type, ReadOnlySpan<byte> bytes)
    {
        HashCode hash = default;
        hash.AddBytes(bytes);
        int key = hash.ToHashCode();
        if (_byHash.TryGetValue(key, out List<(byte[] Bytes, TypeId Type, PreparedArea Prepared)>? entries))
        {
            foreach ((byte[] Bytes, TypeId Type, PreparedArea Prepared) entry in entries)
            {
                if (entry.Type == type.Id && bytes.SequenceEqual(entry.Bytes))
                {
                    return entry.Prepared;
                }
            }
        }
        else
        {
            if (_entries >= MaxEntries)
            {
                _byHash.Clear();
                _entries = 0;
            }
            _byHash[key] = entries = [];
        }
        PreparedArea prepared = new(GeoValues.Parse(function, type, bytes));
        entries.Add((bytes.ToArray(), type.Id, prepared));
        _entries++;
        return prepared;
    }
}
