using System.Collections.Immutable;

namespace Analytics.Sql.Syntax;

/// <summary><c>CREATE TABLE [IF NOT EXISTS] name (columns) [PARTITION BY …] [CLUSTER BY …] [DISTINCT ON … [BY …]] [COMMENT = '…'] [WITH ('k' = v, …)]</c>; the options may come in any order, each at most once.</summary>
public sealed record CreateTableStatementSyntax(bool IfNotExists, QualifiedNameSyntax Name, ImmutableArray<ColumnDefinitionSyntax> Columns, ImmutableArray<ExpressionSyntax> PartitionBy, ImmutableArray<ExpressionSyntax> ClusterBy, DistinctOnClauseSyntax? DistinctOn, string? Comment, ImmutableArray<TablePropertySyntax> Properties, SourceSpan Span) : StatementSyntax(Span);
