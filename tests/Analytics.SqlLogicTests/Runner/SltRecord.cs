using System.Collections.Immutable;

namespace Analytics.SqlLogicTests.Runner;

/// <summary>How a query's rows are compared (architecture.md §10).</summary>
public enum SortMode
{
    NoSort,
    RowSort,
    ValueSort,
}

/// <summary>A <c>skipif</c>/<c>onlyif</c> line in front of a statement or query.</summary>
public sealed record SltCondition(bool OnlyIf, string Engine);

/// <summary>Lines of the file a query's expected block occupies, for completion mode (0-based, end exclusive).</summary>
public sealed record ExpectedBlockSpan(int SeparatorLine, int FirstLine, int EndLine);

/// <summary>One executable unit of an .slt file, after loops and includes are expanded.</summary>
public abstract record SltRecord(string File, int Line, ImmutableArray<SltCondition> Conditions)
{
    public string Location => $"{Path.GetFileName(File)}:{Line}";
}

/// <summary><c>statement ok|error</c>; for <c>error</c>, an optional expected message (substring, <c>&lt;REGEX&gt;:</c>, <c>&lt;!REGEX&gt;:</c>).</summary>
public sealed record StatementRecord(
    string File, int Line, ImmutableArray<SltCondition> Conditions, bool ExpectError, string? ExpectedError, string Sql)
    : SltRecord(File, Line, Conditions);

/// <summary><c>query &lt;types&gt; [sort] [label]</c>.</summary>
public sealed record QueryRecord(
    string File, int Line, ImmutableArray<SltCondition> Conditions, string Types, SortMode Sort, string? Label,
    string Sql, ImmutableArray<string> Expected, ExpectedBlockSpan? Span)
    : SltRecord(File, Line, Conditions);

public enum ControlKind
{
    HashThreshold,
    Restart,
    Halt,
    ModeSkip,
    ModeUnskip,
    Require,
}

/// <summary>A directive that changes how later records run.</summary>
public sealed record ControlRecord(string File, int Line, ControlKind Kind, string Argument)
    : SltRecord(File, Line, ImmutableArray<SltCondition>.Empty);
