using System.Collections;
using System.Data.Common;

namespace Analytics.Data;

/// <summary>The parameters of an <see cref="AnalyticsCommand"/>, in the order <c>?</c> placeholders take them.</summary>
public sealed class AnalyticsParameterCollection : DbParameterCollection
{
    private readonly List<AnalyticsParameter> _items = [];

    public override int Count => _items.Count;

    public override object SyncRoot => ((ICollection)_items).SyncRoot;

    public new AnalyticsParameter this[int index]
    {
        get => _items[index];
        set => _items[index] = value;
    }

    public new AnalyticsParameter this[string parameterName]
    {
        get => _items[IndexOfExisting(parameterName)];
        set => _items[IndexOfExisting(parameterName)] = value;
    }

    public AnalyticsParameter Add(string parameterName, object? value)
    {
        AnalyticsParameter parameter = new(parameterName, value);
        _items.Add(parameter);
        return parameter;
    }

    /// <summary>Adds a positional value (for <c>?</c> placeholders).</summary>
    public AnalyticsParameter AddValue(object? value) => Add("", value);

    public override int Add(object value)
    {
        _items.Add(Cast(value));
        return _items.Count - 1;
    }

    public override void AddRange(Array values)
    {
        foreach (object value in values)
        {
            Add(value);
        }
    }

    public override void Clear() => _items.Clear();

    public override bool Contains(object value) => value is AnalyticsParameter parameter && _items.Contains(parameter);

    public override bool Contains(string value) => IndexOf(value) >= 0;

    public override void CopyTo(Array array, int index) => ((ICollection)_items).CopyTo(array, index);

    public override IEnumerator GetEnumerator() => _items.GetEnumerator();

    public override int IndexOf(object value) => value is AnalyticsParameter parameter ? _items.IndexOf(parameter) : -1;

    public override int IndexOf(string parameterName)
    {
        string name = parameterName.Length > 0 && parameterName[0] is '@' or ':' or '$' ? parameterName[1..] : parameterName;
        for (int i = 0; i < _items.Count; i++)
        {
            if (string.Equals(_items[i].PlaceholderName, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    public override void Insert(int index, object value) => _items.Insert(index, Cast(value));

    public override void Remove(object value) => _items.Remove(Cast(value));

    public override void RemoveAt(int index) => _items.RemoveAt(index);

    public override void RemoveAt(string parameterName) => _items.RemoveAt(IndexOfExisting(parameterName));

    protected override DbParameter GetParameter(int index) => _items[index];

    protected override DbParameter GetParameter(string parameterName) => _items[IndexOfExisting(parameterName)];

    protected override void SetParameter(int index, DbParameter value) => _items[index] = Cast(value);

    protected override void SetParameter(string parameterName, DbParameter value) => _items[IndexOfExisting(parameterName)] = Cast(value);

    internal IReadOnlyList<AnalyticsParameter> Items => _items;

    private int IndexOfExisting(string parameterName)
    {
        int index = IndexOf(parameterName);
        return index >= 0 ? index : throw new ArgumentException($"the command has no parameter named '{parameterName}'", nameof(parameterName));
    }

    private static AnalyticsParameter Cast(object value) => value as AnalyticsParameter
        ?? throw new ArgumentException($"an AnalyticsParameterCollection holds AnalyticsParameter objects, not {value?.GetType().Name ?? "null"}", nameof(value));
}
