using System.Collections.Immutable;

namespace Analytics.Engine.Planning;

/// <summary>The indented EXPLAIN text of a logical plan, one operator per line, children indented by two spaces.</summary>
public static class LogicalPlanPrinter
{
    public static ImmutableArray<string> Print(LogicalOperator plan)
    {
        ImmutableArray<string>.Builder lines = ImmutableArray.CreateBuilder<string>();
        Append(lines, plan, 0);
        return lines.ToImmutable();
    }

    private static void Append(ImmutableArray<string>.Builder lines, LogicalOperator op, int depth)
    {
        lines.Add(new string(' ', depth * 2) + op.Describe());
        foreach (LogicalOperator child in op.Children)
        {
            Append(lines, child, depth + 1);
        }
    }
}
