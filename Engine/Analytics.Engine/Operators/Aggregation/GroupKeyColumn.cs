using Analytics.Engine.Execution;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Aggregation;

/// <summary>
/// The distinct values of one GROUP BY key, one per group id. Fixed-width values (and booleans) are stored as 64-bit
/// words; var-bytes values as one array per group (allocated once per new group, never per row).
/// </summary>
internal sealed class GroupKeyColumn(LogicalType type)
{
    private long[] _fixed = new long[64];
    private byte[]?[] _bytes = type.Physical == PhysicalKind.VarBytes ? new byte[]?[64] : [];
    private bool[] _isNull = new bool[64];
    private int _count;

    public LogicalType Type { get; } = type;

    public void Append(ColumnVector vector, int row)
    {
        Grow();
        int group = _count++;
        if (Type.Id == TypeId.Null || vector.IsNullAt(row))
        {
            _isNull[group] = true;
            return;
        }
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        switch (Type.Physical)
        {
            case PhysicalKind.Fixed64:
                _fixed[group] = values.GetData<long>()[index];
                break;
            case PhysicalKind.Bool8:
                _fixed[group] = values.GetData<byte>()[index];
                break;
            case PhysicalKind.VarBytes:
                _bytes[group] = values.GetBytes(index).ToArray();
                break;
        }
    }

    public void AppendFrom(GroupKeyColumn other, int otherGroup)
    {
        Grow();
        int group = _count++;
        _isNull[group] = other._isNull[otherGroup];
        _fixed[group] = other._fixed[otherGroup];
        if (Type.Physical == PhysicalKind.VarBytes)
        {
            _bytes[group] = other._bytes[otherGroup];
        }
    }

    public bool EqualsRow(int group, ColumnVector vector, int row)
    {
        bool rowNull = Type.Id == TypeId.Null || vector.IsNullAt(row);
        if (rowNull || _isNull[group])
        {
            return rowNull == _isNull[group];
        }
        ValueReader.Locate(vector, row, out ColumnVector values, out int index);
        return Type.Id switch
        {
            TypeId.Float => ValueOrder.CompareFloat(BitConverter.Int64BitsToDouble(_fixed[group]), values.GetData<double>()[index]) == 0,
            TypeId.Boolean => _fixed[group] == values.GetData<byte>()[index],
            _ when Type.Physical == PhysicalKind.Fixed64 => _fixed[group] == values.GetData<long>()[index],
            _ => values.GetBytes(index).SequenceEqual(_bytes[group]),
        };
    }

    public bool EqualsGroup(int group, GroupKeyColumn other, int otherGroup)
    {
        if (_isNull[group] || other._isNull[otherGroup])
        {
            return _isNull[group] == other._isNull[otherGroup];
        }
        return Type.Id switch
        {
            TypeId.Float => ValueOrder.CompareFloat(BitConverter.Int64BitsToDouble(_fixed[group]), BitConverter.Int64BitsToDouble(other._fixed[otherGroup])) == 0,
            _ when Type.Physical == PhysicalKind.VarBytes => _bytes[group].AsSpan().SequenceEqual(other._bytes[otherGroup]),
            _ => _fixed[group] == other._fixed[otherGroup],
        };
    }

    /// <summary>Writes the key of <paramref name="group"/> to <paramref name="row"/> of <paramref name="output"/> (ascending rows).</summary>
    public void Write(int group, ColumnVector output, int row)
    {
        if (_isNull[group])
        {
            RowValues.Set(output, row, null);
            return;
        }
        output.Validity.SetValid(row);
        switch (Type.Physical)
        {
            case PhysicalKind.Fixed64:
                output.GetData<long>()[row] = _fixed[group];
                break;
            case PhysicalKind.Bool8:
                output.GetData<byte>()[row] = (byte)_fixed[group];
                break;
            case PhysicalKind.VarBytes:
                output.SetBytes(row, _bytes[group]);
                break;
        }
    }

    private void Grow()
    {
        if (_count < _isNull.Length)
        {
            return;
        }
        int size = _isNull.Length * 2;
        Array.Resize(ref _fixed, size);
        Array.Resize(ref _isNull, size);
        if (Type.Physical == PhysicalKind.VarBytes)
        {
            Array.Resize(ref _bytes, size);
        }
    }
}
