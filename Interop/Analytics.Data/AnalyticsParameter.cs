using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace Analytics.Data;

/// <summary>
/// A value for a placeholder: <c>@name</c> matches <see cref="ParameterName"/> (with or without its <c>@</c>,
/// case-insensitive), the n-th <c>?</c> takes the n-th parameter of the collection. The ScopeQL type is inferred from
/// the value (see README); <see cref="DbType"/> reports it.
/// </summary>
public sealed class AnalyticsParameter : DbParameter
{
    private string _name = "";
    private object? _value;
    private DbType? _dbType;

    public AnalyticsParameter()
    {
    }

    public AnalyticsParameter(string? name, object? value)
    {
        ParameterName = name;
        Value = value;
    }

    public override DbType DbType
    {
        get => _dbType ?? ParameterValues.InferDbType(_value);
        set => _dbType = value;
    }

    public override ParameterDirection Direction
    {
        get => ParameterDirection.Input;
        set
        {
            if (value != ParameterDirection.Input)
            {
                throw new NotSupportedException($"parameter direction {value} is not supported: ScopeQL has no output parameters");
            }
        }
    }

    public override bool IsNullable { get; set; }

    [AllowNull]
    public override string ParameterName
    {
        get => _name;
        set => _name = value ?? "";
    }

    public override int Size { get; set; }

    [AllowNull]
    public override string SourceColumn { get; set; } = "";

    public override bool SourceColumnNullMapping { get; set; }

    public override object? Value
    {
        get => _value;
        set => _value = value;
    }

    public override void ResetDbType() => _dbType = null;

    /// <summary>The name without its prefix character (<c>@</c>, <c>:</c> or <c>$</c>), as placeholders spell it.</summary>
    internal string PlaceholderName => _name.Length > 0 && _name[0] is '@' or ':' or '$' ? _name[1..] : _name;
}
