namespace Analytics.Sql.Syntax;

/// <summary>A table-valued function call such as <c>read_json('x', header =&gt; true)</c>.</summary>
public sealed record TableFunctionSyntax(FunctionCallSyntax Call, IdentifierSyntax? Alias, SourceSpan Span) : TableReferenceSyntax(Alias, Span);
