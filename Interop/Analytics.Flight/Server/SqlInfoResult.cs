using System.Buffers.Binary;
using System.Text;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.Types;

namespace Analytics.Flight.Server;

/// <summary>
/// The Flight SQL GetSqlInfo result (arrow-flight.md §3.4): <c>info_name uint32 not null, value dense_union&lt;string_value
/// utf8 = 0, bool_value bool = 1, bigint_value int64 = 2, int32_bitmask int32 = 3, string_list list&lt;utf8&gt; = 4,
/// int32_to_int32_list_map map&lt;int32, list&lt;int32&gt;&gt; = 5&gt;</c>, built directly as Arrow arrays (no engine type holds a union).
/// The values say what this server is: ScopeQL, not SQL; no transactions or Substrait; queries can be cancelled.
/// </summary>
internal static class SqlInfoResult
{
    private const byte StringCode = 0;
    private const byte BoolCode = 1;
    private const byte Int32Code = 3;

    /// <summary>(id, union type code, value) for each SqlInfo id we answer.</summary>
    private static readonly (uint Id, byte Code, object Value)[] s_info =
    [
        (0, StringCode, "Analytics"),                    // FLIGHT_SQL_SERVER_NAME
        (1, StringCode, typeof(SqlInfoResult).Assembly.GetName().Version?.ToString() ?? "0"), // FLIGHT_SQL_SERVER_VERSION
        (2, StringCode, "Analytics.Arrow (IPC metadata V5)"), // FLIGHT_SQL_SERVER_ARROW_VERSION
        (3, BoolCode, false),                            // FLIGHT_SQL_SERVER_READ_ONLY
        (4, BoolCode, false),                            // FLIGHT_SQL_SERVER_SQL: statements are ScopeQL
        (5, BoolCode, false),                            // FLIGHT_SQL_SERVER_SUBSTRAIT
        (8, Int32Code, 0),                               // FLIGHT_SQL_SERVER_TRANSACTION: none
        (9, BoolCode, true),                             // FLIGHT_SQL_SERVER_CANCEL
        (100, Int32Code, 0),                             // FLIGHT_SQL_SERVER_STATEMENT_TIMEOUT: none
        (101, Int32Code, 0),                             // FLIGHT_SQL_SERVER_TRANSACTION_TIMEOUT: none
        (504, StringCode, "`"),                          // SQL_IDENTIFIER_QUOTE_CHAR
    ];

    public static readonly ArrowSchema Schema = new(
    [
        new ArrowField("info_name", ArrowType.UInt32, false),
        new ArrowField("value", new ArrowType(ArrowTypeId.Union) { UnionMode = 1 }, false)
        {
            Children =
            [
                new ArrowField("string_value", ArrowType.Utf8, false),
                new ArrowField("bool_value", ArrowType.Bool, false),
                new ArrowField("bigint_value", ArrowType.Int64, false),
                new ArrowField("int32_bitmask", ArrowType.Int32, false),
                new ArrowField("string_list", new ArrowType(ArrowTypeId.List), false) { Children = [new ArrowField("item", ArrowType.Utf8, true)] },
                new ArrowField("int32_to_int32_list_map", ArrowType.Map(keysSorted: false), false)
                {
                    Children =
                    [
                        new ArrowField("entries", ArrowType.Struct, false)
                        {
                            Children =
                            [
                                new ArrowField("key", ArrowType.Int32, false),
                                new ArrowField("value", new ArrowType(ArrowTypeId.List), true) { Children = [new ArrowField("item", ArrowType.Int32, true)] },
                            ],
                        },
                    ],
                },
            ],
        },
    ]);

    /// <summary>The rows for <paramref name="requested"/> ids (all we know when empty; unknown ids are left out), in id order.</summary>
    public static ArrowRecordBatch Build(IReadOnlyCollection<uint> requested)
    {
        List<(uint Id, byte Code, object Value)> rows = [];
        foreach ((uint Id, byte Code, object Value) info in s_info)
        {
            if (requested.Count == 0 || requested.Contains(info.Id))
            {
                rows.Add(info);
            }
        }
        byte[] ids = new byte[rows.Count * 4];
        byte[] typeIds = new byte[rows.Count];
        byte[] offsets = new byte[rows.Count * 4];
        List<int> stringOffsets = [0];
        List<byte> stringData = [];
        List<bool> bools = [];
        List<int> ints = [];
        for (int r = 0; r < rows.Count; r++)
        {
            (uint id, byte code, object value) = rows[r];
            BinaryPrimitives.WriteUInt32LittleEndian(ids.AsSpan(r * 4), id);
            typeIds[r] = code;
            int offset;
            switch (value)
            {
                case string text:
                    offset = stringOffsets.Count - 1;
                    stringData.AddRange(Encoding.UTF8.GetBytes(text));
                    stringOffsets.Add(stringData.Count);
                    break;
                case bool flag:
                    offset = bools.Count;
                    bools.Add(flag);
                    break;
                default:
                    offset = ints.Count;
                    ints.Add((int)value);
                    break;
            }
            BinaryPrimitives.WriteInt32LittleEndian(offsets.AsSpan(r * 4), offset);
        }
        ArrowArray strings = new(ArrowType.Utf8, stringOffsets.Count - 1, 0, 0, [ReadOnlyMemory<byte>.Empty, Int32Bytes(stringOffsets), stringData.ToArray()]);
        byte[] bitmap = new byte[(bools.Count + 7) / 8];
        for (int i = 0; i < bools.Count; i++)
        {
            bitmap[i >> 3] |= (byte)(bools[i] ? 1 << (i & 7) : 0);
        }
        ArrowArray booleans = new(ArrowType.Bool, bools.Count, 0, 0, [ReadOnlyMemory<byte>.Empty, bitmap]);
        ArrowArray bigints = new(ArrowType.Int64, 0, 0, 0, [ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty]);
        ArrowArray int32s = new(ArrowType.Int32, ints.Count, 0, 0, [ReadOnlyMemory<byte>.Empty, Int32Bytes(ints)]);
        ArrowArray emptyUtf8 = new(ArrowType.Utf8, 0, 0, 0, [ReadOnlyMemory<byte>.Empty, new byte[4], ReadOnlyMemory<byte>.Empty]);
        ArrowArray stringLists = new(new ArrowType(ArrowTypeId.List), 0, 0, 0, [ReadOnlyMemory<byte>.Empty, new byte[4]], [emptyUtf8]);
        ArrowArray emptyInt32 = new(ArrowType.Int32, 0, 0, 0, [ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty]);
        ArrowArray emptyIntLists = new(new ArrowType(ArrowTypeId.List), 0, 0, 0, [ReadOnlyMemory<byte>.Empty, new byte[4]], [emptyInt32]);
        ArrowArray entries = new(ArrowType.Struct, 0, 0, 0, [ReadOnlyMemory<byte>.Empty], [emptyInt32, emptyIntLists]);
        ArrowArray maps = new(ArrowType.Map(keysSorted: false), 0, 0, 0, [ReadOnlyMemory<byte>.Empty, new byte[4]], [entries]);
        ArrowArray union = new(Schema.Fields[1].Type, rows.Count, 0, 0, [ReadOnlyMemory<byte>.Empty, typeIds, offsets],
            [strings, booleans, bigints, int32s, stringLists, maps]);
        ArrowArray names = new(ArrowType.UInt32, rows.Count, 0, 0, [ReadOnlyMemory<byte>.Empty, ids]);
        return new ArrowRecordBatch(Schema, rows.Count, [names, union]);
    }

    private static byte[] Int32Bytes(List<int> values)
    {
        byte[] bytes = new byte[values.Count * 4];
        for (int i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }
        return bytes;
    }
}
