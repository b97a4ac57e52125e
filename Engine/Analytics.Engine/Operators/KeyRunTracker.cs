using Analytics.Engine.Execution;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators;

/// <summary>
/// Finds where runs of equal keys start in rows sorted by those keys, across batches: it keeps the current run's key
/// values in one-row vectors. NULL keys equal each other. Used by DISTINCT ON and by partitioned inserts.
/// </summary>
internal sealed class KeyRunTracker(int keys) : IDisposable
{
    private readonly ColumnVector[] _current = new ColumnVector[keys];

    public bool Started { get; private set; }

    /// <summary>The current run's value of key <paramref name="key"/> (row 0).</summary>
    public ColumnVector Current(int key) => _current[key];

    /// <summary>Whether the row's keys differ from the current run's (the first row always starts a run).</summary>
    public bool IsNewRun(ReadOnlySpan<ColumnVector> keyColumns, int row)
    {
        if (!Started)
        {
            return true;
        }
        for (int k = 0; k < _current.Length; k++)
        {
            ColumnVector column = keyColumns[k];
            bool rowNull = column.IsNullAt(row);
            bool currentNull = _current[k].IsNullAt(0);
            if (rowNull != currentNull || (!rowNull && !ValueOrder.Equal(column, row, _current[k], 0)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Makes the row's keys the current run's.</summary>
    public void Start(ReadOnlySpan<ColumnVector> keyColumns, int row)
    {
        for (int k = 0; k < _current.Length; k++)
        {
            ColumnVector current = _current[k] ??= new ColumnVector(keyColumns[k].Type, 1);
            current.Reset(); // var-bytes values are written in row order: start over at row 0
            ValueOrder.Copy(keyColumns[k], row, current, 0);
        }
        Started = true;
    }

    /// <summary>Forgets the current run (the next row starts a new one).</summary>
    public void Clear() => Started = false;

    public void Dispose()
    {
        foreach (ColumnVector? vector in _current)
        {
            vector?.Release();
        }
    }
}
