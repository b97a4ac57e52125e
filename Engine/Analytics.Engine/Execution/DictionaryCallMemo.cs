using Analytics.Engine.Functions;
using Analytics.Engine.Operators.Aggregation;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Execution;

/// <summary>
/// Evaluates a scalar call whose one non-constant argument is a dictionary-encoded var-bytes vector (a string chunk of
/// a segment, a shredded variant path, an in-memory row group) once per distinct dictionary value instead of once per
/// row: the results are kept per code, and rows read them by their code (<c>contains(url, '/x/')</c> over ~5,000 urls
/// in a 122,880-row block runs the kernel ~5,000 times, not 122,880). Values are computed lazily, only for the codes
/// the active rows hold, so a sparse selection never pays for the whole dictionary and a value no active row holds is
/// never evaluated (an error it would raise is not raised, exactly as on the row path) — except for a kernel cheaper
/// than a lookup, which raises none: a dense batch computes its whole new dictionary at once. Boolean and fixed-width
/// results only: a var-bytes result of distinct inputs need not be distinct, so it cannot stay a dictionary.
/// Results are also kept by value (up to <see cref="MaxRememberedValues"/>), so the next block's dictionary, which
/// mostly holds the same values, costs a hash lookup per value rather than a kernel call (a regular expression) —
/// unless the kernel is cheaper than that lookup (<see cref="ScalarKernel.CheaperThanLookup"/>: <c>contains</c> on a
/// url), which then runs on each new dictionary's values and keeps nothing by value.
/// The per-code tables describe one dictionary at a time (reset when another one arrives; dictionaries are never changed in
/// place once vectors point at them, which <see cref="Operators.Aggregation.GroupTable"/> relies on too).
/// </summary>
internal sealed class DictionaryCallMemo
{
    private const byte Unknown = 0;
    private const byte Known = 1;
    private const byte KnownNull = 2;

    /// <summary>Results kept by value across dictionaries, at most this many (url paths: ~5,000).</summary>
    private const int MaxRememberedValues = 65_536;

    private readonly ScalarKernel _kernel;
    private readonly LogicalType _resultType;
    private readonly int _variableArgument;
    private readonly ColumnVector[] _arguments;
    private readonly int[] _pending = new int[Batch.Capacity];
    private readonly Dictionary<GroupBytes, CallResult> _earlier = new(GroupBytesComparer.Instance);
    private ColumnVector? _values;
    private ColumnVector? _computed;
    private ColumnVector? _dictionary;
    private int _unknownCount;
    private int _stamp;
    private byte[] _state = [];
    private int[] _seen = [];
    private long[] _fixed = [];
    private byte[] _passes = [];
    private byte[] _fails = [];
    // The call's value for a NULL argument does not depend on the dictionary: computed once, on the first NULL row.
    private byte _nullState;
    private long _nullValue;

    private DictionaryCallMemo(ScalarKernel kernel, LogicalType resultType, int argumentCount, int variableArgument)
    {
        _kernel = kernel;
        _variableArgument = variableArgument;
        _resultType = resultType;
        _arguments = new ColumnVector[argumentCount];
    }

    /// <summary>
    /// The memo for a call of this volatility and result type whose arguments are all statement constants but the one
    /// at <paramref name="variableArgument"/>; null when the call cannot be memoized per dictionary value.
    /// </summary>
    public static DictionaryCallMemo? TryCreate(ScalarKernel kernel, Volatility volatility, LogicalType resultType,
        int argumentCount, int variableArgument)
    {
        bool supported = volatility != Volatility.Volatile && variableArgument >= 0
            && resultType.Physical is PhysicalKind.Bool8 or PhysicalKind.Fixed64;
        return supported ? new DictionaryCallMemo(kernel, resultType, argumentCount, variableArgument) : null;
    }

    /// <summary>Whether this batch's value of the variable argument is a dictionary the memo can read.</summary>
    public bool Applies(ReadOnlySpan<ColumnVector> arguments)
    {
        ColumnVector argument = arguments[_variableArgument];
        return argument.Encoding == VectorEncoding.Dictionary && argument.Dictionary!.Type.Physical == PhysicalKind.VarBytes
            && argument.Dictionary.Encoding == VectorEncoding.Flat;
    }

    /// <summary>The call's value for the active rows, into <paramref name="result"/> (reset to the result type).</summary>
    public void Evaluate(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection,
        ColumnVector result)
    {
        ColumnVector column = arguments[_variableArgument];
        Prepare(arguments, count, selection);
        ReadOnlySpan<int> codes = column.Codes;
        ValidityMask validity = column.Validity;
        bool dense = selection.IsEmpty;
        bool boolean = _resultType.Physical == PhysicalKind.Bool8;
        Span<byte> booleans = boolean ? result.GetData<byte>() : default;
        Span<long> fixedValues = boolean ? default : result.GetData<long>();
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            byte state;
            long value;
            if (validity.IsValid(row))
            {
                int code = codes[row];
                state = _state[code];
                value = _fixed[code];
            }
            else
            {
                state = _nullState;
                value = _nullValue;
            }
            if (state == KnownNull)
            {
                result.Validity.SetNull(row, result.Capacity);
            }
            else if (boolean)
            {
                booleans[row] = (byte)value;
            }
            else
            {
                fixedValues[row] = value;
            }
        }
    }

    /// <summary>
    /// Writes the active rows where this boolean call is TRUE (with <paramref name="negated"/>: FALSE, i.e. where
    /// <c>NOT call</c> is TRUE) into <paramref name="result"/>; false (nothing written) when a NULL argument would pass,
    /// which the code table cannot express (the caller then evaluates).
    /// </summary>
    public bool TrySelect(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection, bool negated,
        Span<int> result, out int selected)
    {
        ColumnVector column = arguments[_variableArgument];
        Prepare(arguments, count, selection);
        if (!column.Validity.AllValid && _nullState == Known && (_nullValue != 0) != negated)
        {
            selected = 0;
            return false;
        }
        selected = SelectionKernels.SelectByCodeTable(column.Codes, negated ? _fails : _passes, count, selection,
            column.Validity.ValidWords, result);
        return true;
    }

    public void Release()
    {
        _values?.Release();
        _computed?.Release();
        _values = null;
        _computed = null;
        _dictionary = null;
    }

    /// <summary>Makes sure every code (and NULL) the active rows hold has its value.</summary>
    private void Prepare(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection)
    {
        ColumnVector column = arguments[_variableArgument];
        ColumnVector dictionary = column.Dictionary!;
        if (!ReferenceEquals(dictionary, _dictionary))
        {
            Reset(dictionary);
        }
        bool hasNulls = !column.Validity.AllValid;
        if (hasNulls && _nullState == Unknown)
        {
            ComputeNull(arguments, column.Type);
        }
        if (_unknownCount == 0)
        {
            return;
        }
        if (_kernel.CheaperThanLookup && selection.IsEmpty && _unknownCount == dictionary.Capacity)
        {
            ComputeAll(arguments, dictionary);
            return;
        }
        // Collect the codes of the active rows not known yet, each once (a per-call stamp instead of clearing).
        int stamp = ++_stamp;
        if (stamp == int.MaxValue)
        {
            _seen.AsSpan().Clear();
            _stamp = stamp = 1;
        }
        ReadOnlySpan<int> codes = column.Codes;
        ValidityMask validity = column.Validity;
        bool dense = selection.IsEmpty;
        int pending = 0;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            int code = codes[row];
            if (_state[code] == Unknown && _seen[code] != stamp && (!hasNulls || validity.IsValid(row)))
            {
                _seen[code] = stamp;
                _pending[pending++] = code;
            }
        }
        if (pending > 0)
        {
            Compute(arguments, dictionary, pending);
        }
    }

    /// <summary>
    /// Gives every code of a new dictionary its value, for a cheap kernel on a dense batch: the rows of a full scan
    /// hold nearly every value of their block's dictionary, but the rare ones late, so the lazy path's per-row search
    /// for unknown codes ran on almost every batch (it was most of <c>url_contains</c>' scan) to save a few kernel calls.
    /// Such a kernel raises no error, so evaluating a value no row holds changes nothing. Only the written values: a
    /// dictionary made of a reused vector (a join's build side) can be larger than its values, and rows never hold
    /// codes past them, so those stay unknown.
    /// </summary>
    private void ComputeAll(ReadOnlySpan<ColumnVector> arguments, ColumnVector dictionary)
    {
        int size = dictionary.WrittenBytesRows;
        for (int start = 0; start < size; start += Batch.Capacity)
        {
            int pending = Math.Min(Batch.Capacity, size - start);
            for (int i = 0; i < pending; i++)
            {
                _pending[i] = start + i;
            }
            Compute(arguments, dictionary, pending);
        }
    }

    private void Reset(ColumnVector dictionary)
    {
        int size = dictionary.WrittenBytesRows;
        if (_state.Length < size)
        {
            int length = Math.Max(size, _state.Length * 2);
            _state = new byte[length];
            _seen = new int[length];
            _fixed = new long[length];
            _passes = new byte[length];
            _fails = new byte[length];
        }
        else
        {
            _state.AsSpan(0, size).Clear();
            _passes.AsSpan(0, size).Clear();
            _fails.AsSpan(0, size).Clear();
        }
        _dictionary = dictionary;
        _unknownCount = size;
    }

    /// <summary>
    /// Gives the pending codes their values: from the results of earlier dictionaries (each block has its own, but the
    /// values repeat — a regular expression then runs once per url per query, not once per url per block), else by
    /// running the kernel once over the rest (each value a row of a flat scratch vector).
    /// </summary>
    private void Compute(ReadOnlySpan<ColumnVector> arguments, ColumnVector dictionary, int pending)
    {
        Dictionary<GroupBytes, CallResult>.AlternateLookup<GroupBytesProbe> earlier = _earlier.GetAlternateLookup<GroupBytesProbe>();
        int missing = pending;
        if (!_kernel.CheaperThanLookup)
        {
            missing = 0;
            for (int i = 0; i < pending; i++)
            {
                int code = _pending[i];
                if (earlier.TryGetValue(new GroupBytesProbe(0, dictionary.GetBytes(code)), out CallResult known))
                {
                    Store(code, known);
                }
                else
                {
                    _pending[missing++] = code;
                }
            }
            _unknownCount -= pending - missing;
            if (missing == 0)
            {
                return;
            }
        }
        ColumnVector values = Values(dictionary.Type);
        for (int i = 0; i < missing; i++)
        {
            values.SetBytes(i, dictionary.GetBytes(_pending[i]));
        }
        values.FinishBytes(missing);
        ColumnVector computed = Run(arguments, values, missing);
        bool remember = !_kernel.CheaperThanLookup && _earlier.Count + missing <= MaxRememberedValues;
        for (int i = 0; i < missing; i++)
        {
            int code = _pending[i];
            CallResult result = Read(computed, i);
            Store(code, result);
            if (remember)
            {
                earlier[new GroupBytesProbe(0, dictionary.GetBytes(code))] = result;
            }
        }
        _unknownCount -= missing;
    }

    /// <summary>A computed row: NULL, or the value (a boolean as 0/1).</summary>
    private CallResult Read(ColumnVector computed, int row)
    {
        int index = computed.ValueIndex(row);
        if (computed.Validity.IsNull(index))
        {
            return new CallResult(true, 0);
        }
        return new CallResult(false, _resultType.Physical == PhysicalKind.Bool8
            ? computed.GetData<byte>()[index] != 0 ? 1 : 0
            : computed.GetData<long>()[index]);
    }

    private void Store(int code, CallResult result)
    {
        _state[code] = result.IsNull ? KnownNull : Known;
        _fixed[code] = result.Value;
        bool boolean = !result.IsNull && _resultType.Physical == PhysicalKind.Bool8;
        _passes[code] = boolean && result.Value != 0 ? (byte)1 : (byte)0;
        _fails[code] = boolean && result.Value == 0 ? (byte)1 : (byte)0;
    }

    private readonly record struct CallResult(bool IsNull, long Value);

    private void ComputeNull(ReadOnlySpan<ColumnVector> arguments, LogicalType argumentType)
    {
        ColumnVector values = Values(argumentType);
        values.SetBytes(0, default);
        values.Validity.SetNull(0, values.Capacity);
        CallResult result = Read(Run(arguments, values, 1), 0);
        _nullState = result.IsNull ? KnownNull : Known;
        _nullValue = result.Value;
    }

    private ColumnVector Values(LogicalType type)
    {
        _values ??= new ColumnVector(type, Batch.Capacity);
        _values.Reset(type);
        return _values;
    }

    private ColumnVector Run(ReadOnlySpan<ColumnVector> arguments, ColumnVector values, int count)
    {
        for (int i = 0; i < _arguments.Length; i++)
        {
            _arguments[i] = i == _variableArgument ? values : arguments[i];
        }
        _computed ??= new ColumnVector(_resultType, Batch.Capacity);
        _computed.Reset(_resultType);
        _kernel.Evaluate(_arguments, count, default, _computed);
        return _computed;
    }
}
