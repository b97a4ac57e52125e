using System.Runtime.CompilerServices;

namespace Analytics.Vector.Vectors;

/// <summary>
/// Bit-packed validity (1 = valid, Arrow's convention) over a vector's physical rows. While no row has been set NULL the
/// mask reports <see cref="AllValid"/> and kernels take their null-free fast path; the word array is kept across
/// <see cref="Reset"/> so a reused vector does not reallocate.
/// </summary>
public sealed class ValidityMask
{
    private ulong[]? _words;
    private bool _hasNulls;

    public bool AllValid => !_hasNulls;

    /// <summary>The raw words (valid only when <see cref="AllValid"/> is false).</summary>
    public Span<ulong> Words => _words;

    /// <summary>The words for kernels: empty when every row is valid (the kernels' "no nulls" convention).</summary>
    public ReadOnlySpan<ulong> ValidWords => _hasNulls ? _words : default;

    public static int WordCount(int rows) => (rows + 63) >> 6;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsValid(int row) => !_hasNulls || ((_words![row >> 6] >> (row & 63)) & 1UL) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsNull(int row) => !IsValid(row);

    public void SetNull(int row, int capacity)
    {
        if (!_hasNulls)
        {
            EnsureAllSet(capacity);
        }
        _words![row >> 6] &= ~(1UL << (row & 63));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetValid(int row)
    {
        if (_hasNulls)
        {
            _words![row >> 6] |= 1UL << (row & 63);
        }
    }

    public void Set(int row, bool valid, int capacity)
    {
        if (valid)
        {
            SetValid(row);
        }
        else
        {
            SetNull(row, capacity);
        }
    }

    /// <summary>Makes every row valid again without freeing the words.</summary>
    public void Reset() => _hasNulls = false;

    /// <summary>Switches to explicit words (all valid) so a kernel can write validity bits directly.</summary>
    public Span<ulong> EnsureWritable(int capacity)
    {
        if (!_hasNulls)
        {
            EnsureAllSet(capacity);
        }
        return _words.AsSpan(0, WordCount(capacity));
    }

    /// <summary>Marks rows <c>0..rows)</c> NULL (a column with no values in them).</summary>
    public void SetAllNull(int rows, int capacity) => EnsureWritable(capacity)[..WordCount(rows)].Clear();

    public void CopyFrom(ValidityMask other, int capacity)
    {
        if (other.AllValid)
        {
            Reset();
            return;
        }
        int words = WordCount(capacity);
        EnsureAllSet(capacity);
        other._words.AsSpan(0, words).CopyTo(_words);
    }

    private void EnsureAllSet(int capacity)
    {
        int words = WordCount(capacity);
        if (_words is null || _words.Length < words)
        {
            _words = new ulong[words];
        }
        _words.AsSpan(0, words).Fill(ulong.MaxValue);
        _hasNulls = true;
    }
}
