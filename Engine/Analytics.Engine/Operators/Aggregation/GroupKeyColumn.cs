using Analytics.Engine.Execution;
using Analytics.Engine.Storage;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Aggregation;

/// <summary>
/// The distinct values of one GROUP BY key, one per group id. Fixed-width values (and booleans) are stored as 64-bit
/// words; var-bytes values as one array per group (allocated once per new group, never per row). The per-group arrays
/// are rented from <see cref="WorkingArrayPool{T}"/> and go back with <see cref="Release"/> (see <see cref="GroupTable"/>).
/// </summary>
internal sealed class GroupKeyColumn(LogicalType type)
{
    private long[] _fixed = [];
    private byte[]?[] _bytes = [];
    private bool[] _isNull = [];
    private int _count;
    /// <summary>Groups the arrays hold (rented arrays may be longer; only this many are in use).</summary>
    private int _capacity;

    public LogicalType Type { get; } = type;

    public void Append(ColumnVector vector, int row)
    {
        Reserve(_count + 1);
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
        Reserve(_count + 1);
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

    /// <summary>Room for <paramref name="groups"/> groups in all, doubling as they come; new entries read as zero (not NULL, no bytes).</summary>
    public void Reserve(int groups)
    {
        if (groups <= _capacity)
        {
            return;
        }
        int size = Math.Max(groups, Math.Max(64, 2 * _capacity));
        WorkingArrayPool<long>.GrowCleared(ref _fixed, size, _count);
        WorkingArrayPool<bool>.GrowCleared(ref _isNull, size, _count);
        if (Type.Physical == PhysicalKind.VarBytes)
        {
            WorkingArrayPool<byte[]?>.GrowCleared(ref _bytes, size, _count);
        }
        _capacity = size;
    }

    /// <summary>Returns the arrays to the pool; the column must not be used again (<see cref="GroupTable.Release"/>).</summary>
    public void Release()
    {
        WorkingArrayPool<long>.Return(ref _fixed);
        WorkingArrayPool<bool>.Return(ref _isNull);
        WorkingArrayPool<byte[]?>.Return(ref _bytes);
        _capacity = 0;
    }
}
