using Analytics.Sources.Cassandra.Format;
using Analytics.Vector.Types;

namespace Analytics.Sources.Cassandra.Schema;

/// <summary>
/// The CQL → ScopeQL type mapping (documented in the project README): integers (tinyint…bigint, varint, counter) and
/// time-of-day (nanoseconds) → int; float/double → float; text-like, uuid, inet and decimal (exact) → string; blob →
/// binary; timestamp and date → timestamp; duration → interval; list/set/tuple/vector → array; map/UDT → object.
/// </summary>
internal static class TypeMapping
{
    public static LogicalType ToLogical(CassandraType type) => type.Unwrapped.Kind switch
    {
        CassandraTypeKind.Int32 or CassandraTypeKind.Long or CassandraTypeKind.Short or CassandraTypeKind.Byte
            or CassandraTypeKind.Varint or CassandraTypeKind.Counter or CassandraTypeKind.Time => LogicalType.Int,
        CassandraTypeKind.Float or CassandraTypeKind.Double => LogicalType.Float,
        CassandraTypeKind.Boolean => LogicalType.Boolean,
        CassandraTypeKind.Ascii or CassandraTypeKind.Utf8 or CassandraTypeKind.Inet or CassandraTypeKind.Uuid
            or CassandraTypeKind.TimeUuid or CassandraTypeKind.LexicalUuid or CassandraTypeKind.Decimal => LogicalType.String,
        CassandraTypeKind.Timestamp or CassandraTypeKind.SimpleDate => LogicalType.Timestamp,
        CassandraTypeKind.Duration => LogicalType.Interval,
        CassandraTypeKind.List or CassandraTypeKind.Set or CassandraTypeKind.Tuple or CassandraTypeKind.Vector => LogicalType.Array,
        CassandraTypeKind.Map or CassandraTypeKind.UserType => LogicalType.Object,
        _ => LogicalType.Binary,
    };
}
