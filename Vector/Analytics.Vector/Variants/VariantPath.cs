namespace Analytics.Vector.Variants;

/// <summary>
/// Path access on variant values (scopeql.md §2.4): <c>v['k']</c> and <c>v[i]</c>. A key over an array maps over the
/// elements that are objects, collecting the non-null results (Q9); an empty collection, a missing key, an index out of
/// range or a JSON null result is "not found", which the engine turns into SQL NULL (Q11).
/// </summary>
public static class VariantPath
{
    /// <summary>Writes <c>value[key]</c> to <paramref name="output"/> (reset first) as a canonical top-level value.</summary>
    public static bool TryGetKey(VariantValue value, ReadOnlySpan<byte> utf8Key, VariantBuilder output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Reset();
        VariantKind kind = value.Kind;
        if (kind == VariantKind.Object)
        {
            if (!value.TryGetField(utf8Key, out VariantValue field) || field.IsNull)
            {
                return false;
            }
            output.WriteValue(field);
            return true;
        }
        if (kind != VariantKind.Array)
        {
            return false;
        }
        int length = value.ArrayLength;
        bool any = false;
        for (int i = 0; i < length; i++)
        {
            if (value.GetArrayElement(i).TryGetField(utf8Key, out VariantValue field) && !field.IsNull)
            {
                if (!any)
                {
                    output.StartArray();
                    any = true;
                }
                output.WriteValue(field);
            }
        }
        if (!any)
        {
            return false;
        }
        output.EndArray();
        return true;
    }

    /// <summary>Writes <c>value[index]</c> (negative counts from the end) to <paramref name="output"/> (reset first).</summary>
    public static bool TryGetIndex(VariantValue value, long index, VariantBuilder output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Reset();
        if (!value.TryGetIndex(index, out VariantValue element) || element.IsNull)
        {
            return false;
        }
        output.WriteValue(element);
        return true;
    }

    /// <summary>The <c>typeof</c> name of a kind.</summary>
    public static string TypeName(VariantKind kind) => kind switch
    {
        VariantKind.Null => "null",
        VariantKind.Boolean => "boolean",
        VariantKind.Int => "int",
        VariantKind.UInt => "uint",
        VariantKind.Float => "float",
        VariantKind.String => "string",
        VariantKind.Binary => "binary",
        VariantKind.Timestamp => "timestamp",
        VariantKind.Interval => "interval",
        VariantKind.Array => "array",
        _ => "object",
    };
}
