namespace Analytics.Sql.Parsing;

/// <summary>Keyword classes from scopeql.md §1.10 and §2.1 (lower-case, as the lexer normalises words).</summary>
internal static class Keywords
{
    private static readonly HashSet<string> s_reserved = new(StringComparer.Ordinal)
    {
        "from", "join", "values", "where", "order", "distinct", "limit", "select", "aggregate", "window", "within",
        "group", "insert", "union", "sample", "null", "true", "false", "as", "by", "on", "case", "when", "then", "else",
        "end", "cast", "not", "is", "in", "between", "and", "or",
    };

    /// <summary>The type names the tokenizer treats as keywords; only these start a typed literal <c>t '…'</c>.</summary>
    private static readonly HashSet<string> s_typeKeywords = new(StringComparer.Ordinal)
    {
        "int", "uint", "float", "string", "boolean", "timestamp", "interval", "array", "object", "any",
    };

    /// <summary>Reserved words cannot be bare identifiers or aliases.</summary>
    public static bool IsReserved(string lowerCaseWord) => s_reserved.Contains(lowerCaseWord);

    public static bool IsTypeKeyword(string lowerCaseWord) => s_typeKeywords.Contains(lowerCaseWord);
}
