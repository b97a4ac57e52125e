using System.Collections.Immutable;
using System.Globalization;

namespace Analytics.SqlLogicTests.Runner;

/// <summary>
/// Parses the sqllogictest dialect of architecture.md §10 into records. Loops (<c>loop</c>/<c>foreach</c> …
/// <c>endloop</c>) and <c>include</c> are expanded here, so the runner sees a flat list; records that came from a loop
/// or an include carry no <see cref="ExpectedBlockSpan"/> and completion mode leaves them alone.
/// </summary>
public static class SltParser
{
    public static ImmutableArray<SltRecord> ParseFile(string path) =>
        Parse(File.ReadAllText(path), Path.GetFullPath(path), 0);

    public static ImmutableArray<SltRecord> Parse(string text, string file) => Parse(text, file, 0);

    private static ImmutableArray<SltRecord> Parse(string text, string file, int includeDepth)
    {
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        List<RawRecord> raw = SplitRecords(lines);
        ImmutableArray<SltRecord>.Builder records = ImmutableArray.CreateBuilder<SltRecord>();
        int index = 0;
        Expand(raw, ref index, file, [], records, includeDepth, topLevel: true, endToken: null);
        return records.ToImmutable();
    }

    /// <summary>A group of non-blank lines, with its first line's 0-based index; comment lines are dropped.</summary>
    private sealed record RawRecord(int FirstLine, List<(int Line, string Text)> Lines);

    private static List<RawRecord> SplitRecords(string[] lines)
    {
        List<RawRecord> records = [];
        List<(int, string)>? current = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Trim().Length == 0)
            {
                current = null;
                continue;
            }
            // Comments are only whole lines outside SQL text; a SQL line starting with '#' is not ScopeQL anyway.
            if (line.StartsWith('#'))
            {
                continue;
            }
            if (current is null)
            {
                current = [];
                records.Add(new RawRecord(i, current));
            }
            current.Add((i, line));
        }
        return records;
    }

    private static void Expand(List<RawRecord> raw, ref int index, string file, Dictionary<string, string> variables,
        ImmutableArray<SltRecord>.Builder output, int includeDepth, bool topLevel, string? endToken)
    {
        while (index < raw.Count)
        {
            RawRecord record = raw[index];
            List<(int Line, string Text)> lines = record.Lines;
            int position = 0;
            List<SltCondition> conditions = [];
            while (position < lines.Count)
            {
                (int lineIndex, string text) = lines[position];
                string[] words = Substitute(text, variables).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                int lineNumber = lineIndex + 1;
                switch (words[0])
                {
                    case "skipif":
                    case "onlyif":
                        Require(words, 2, file, lineNumber);
                        conditions.Add(new SltCondition(words[0] == "onlyif", words[1]));
                        position++;
                        continue;
                    case "endloop":
                        if (endToken is null)
                        {
                            throw Error(file, lineNumber, "endloop without loop");
                        }
                        index++;
                        if (position + 1 < lines.Count)
                        {
                            throw Error(file, lineNumber, "endloop must be alone in its record");
                        }
                        return;
                    case "loop":
                    case "foreach":
                    {
                        List<string> values = LoopValues(words, file, lineNumber);
                        // The body is the rest of this record plus the following records up to the matching endloop.
                        List<RawRecord> body = [];
                        if (position + 1 < lines.Count)
                        {
                            body.Add(new RawRecord(lines[position + 1].Line, lines.GetRange(position + 1, lines.Count - position - 1)));
                        }
                        int depth = 1;
                        int scan = index + 1;
                        for (; scan < raw.Count; scan++)
                        {
                            string first = raw[scan].Lines[0].Text.Trim();
                            if (first.StartsWith("loop ", StringComparison.Ordinal) || first.StartsWith("foreach ", StringComparison.Ordinal))
                            {
                                depth++;
                            }
                            else if (first == "endloop" && --depth == 0)
                            {
                                break;
                            }
                            body.Add(raw[scan]);
                        }
                        if (depth != 0)
                        {
                            throw Error(file, lineNumber, "loop without endloop");
                        }
                        body.Add(raw[scan]);
                        foreach (string value in values)
                        {
                            Dictionary<string, string> inner = new(variables, StringComparer.Ordinal) { [words[1]] = value };
                            int bodyIndex = 0;
                            Expand(body, ref bodyIndex, file, inner, output, includeDepth, topLevel: false, endToken: "endloop");
                        }
                        index = scan + 1;
                        goto NextRecord;
                    }
                    case "include":
                    {
                        Require(words, 2, file, lineNumber);
                        if (includeDepth > 8)
                        {
                            throw Error(file, lineNumber, "include nesting is too deep");
                        }
                        string included = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, words[1]));
                        foreach (SltRecord inner in Parse(File.ReadAllText(included), included, includeDepth + 1))
                        {
                            output.Add(inner is QueryRecord query ? query with { Span = null } : inner);
                        }
                        position++;
                        continue;
                    }
                    case "hash-threshold":
                        Require(words, 2, file, lineNumber);
                        output.Add(new ControlRecord(file, lineNumber, ControlKind.HashThreshold, words[1]));
                        position++;
                        continue;
                    case "restart":
                        output.Add(new ControlRecord(file, lineNumber, ControlKind.Restart, string.Empty));
                        position++;
                        continue;
                    case "halt":
                        output.Add(new ControlRecord(file, lineNumber, ControlKind.Halt, string.Empty));
                        position++;
                        continue;
                    case "mode":
                        Require(words, 2, file, lineNumber);
                        ControlKind mode = words[1] switch
                        {
                            "skip" => ControlKind.ModeSkip,
                            "unskip" => ControlKind.ModeUnskip,
                            _ => throw Error(file, lineNumber, $"unknown mode '{words[1]}'"),
                        };
                        output.Add(new ControlRecord(file, lineNumber, mode, string.Empty));
                        position++;
                        continue;
                    case "require":
                        Require(words, 2, file, lineNumber);
                        output.Add(new ControlRecord(file, lineNumber, ControlKind.Require, string.Join(' ', words[1..])));
                        position++;
                        continue;
                    case "statement":
                        output.Add(ParseStatement(words, lines, position, file, variables, [.. conditions]));
                        goto RecordDone;
                    case "query":
                        output.Add(ParseQuery(words, lines, position, file, variables, [.. conditions], topLevel));
                        goto RecordDone;
                    default:
                        throw Error(file, lineNumber, $"unknown directive '{words[0]}'");
                }
            }
            if (conditions.Count > 0)
            {
                throw Error(file, lines[^1].Line + 1, "skipif/onlyif must precede a statement or query");
            }
            RecordDone:
            index++;
            NextRecord:;
        }
        if (endToken is not null)
        {
            throw Error(file, raw.Count > 0 ? raw[^1].FirstLine + 1 : 1, "loop without endloop");
        }
    }

    private static List<string> LoopValues(string[] words, string file, int line)
    {
        if (words[0] == "foreach")
        {
            Require(words, 3, file, line);
            return [.. words[2..]];
        }
        Require(words, 4, file, line);
        if (!long.TryParse(words[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long from)
            || !long.TryParse(words[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long to))
        {
            throw Error(file, line, "loop bounds must be integers: loop NAME FROM TO");
        }
        List<string> values = [];
        for (long i = from; i < to; i++)
        {
            values.Add(i.ToString(CultureInfo.InvariantCulture));
        }
        return values;
    }

    private static StatementRecord ParseStatement(string[] words, List<(int Line, string Text)> lines, int position,
        string file, Dictionary<string, string> variables, ImmutableArray<SltCondition> conditions)
    {
        int lineNumber = lines[position].Line + 1;
        Require(words, 2, file, lineNumber);
        bool expectError = words[1] switch
        {
            "ok" => false,
            "error" => true,
            _ => throw Error(file, lineNumber, $"statement must be 'ok' or 'error', not '{words[1]}'"),
        };
        if (words.Length > 2)
        {
            // Text after the keyword is ignored by every sqllogictest dialect, so it would silently accept any error.
            throw Error(file, lineNumber, $"unexpected '{string.Join(' ', words[2..])}' after 'statement {words[1]}': put an expected error message after a ---- line");
        }
        int separator = FindSeparator(lines, position + 1);
        List<string> sql = Texts(lines, position + 1, separator < 0 ? lines.Count : separator, variables);
        if (sql.Count == 0)
        {
            throw Error(file, lineNumber, "statement without SQL");
        }
        string? expected = null;
        if (separator >= 0)
        {
            if (!expectError)
            {
                throw Error(file, lineNumber, "statement ok takes no ---- block");
            }
            expected = string.Join('\n', Texts(lines, separator + 1, lines.Count, variables));
        }
        return new StatementRecord(file, lineNumber, conditions, expectError, expected, string.Join('\n', sql));
    }

    private static QueryRecord ParseQuery(string[] words, List<(int Line, string Text)> lines, int position, string file,
        Dictionary<string, string> variables, ImmutableArray<SltCondition> conditions, bool topLevel)
    {
        int lineNumber = lines[position].Line + 1;
        Require(words, 2, file, lineNumber);
        string types = words[1];
        foreach (char letter in types)
        {
            if ("IRTBDV?".IndexOf(letter, StringComparison.Ordinal) < 0)
            {
                throw Error(file, lineNumber, $"unknown column type letter '{letter}' (use I R T B D V ?)");
            }
        }
        SortMode sort = SortMode.NoSort;
        string? label = null;
        int next = 2;
        if (words.Length > next)
        {
            switch (words[next])
            {
                case "nosort": next++; break;
                case "rowsort": sort = SortMode.RowSort; next++; break;
                case "valuesort": sort = SortMode.ValueSort; next++; break;
            }
        }
        if (words.Length > next)
        {
            label = words[next++];
        }
        if (words.Length > next)
        {
            throw Error(file, lineNumber, "query takes: query TYPES [nosort|rowsort|valuesort] [label]");
        }
        int separator = FindSeparator(lines, position + 1);
        List<string> sql = Texts(lines, position + 1, separator < 0 ? lines.Count : separator, variables);
        if (sql.Count == 0)
        {
            throw Error(file, lineNumber, "query without SQL");
        }
        ImmutableArray<string> expected = separator < 0 ? [] : [.. Texts(lines, separator + 1, lines.Count, variables)];
        ExpectedBlockSpan? span = null;
        if (topLevel)
        {
            int last = lines[^1].Line;
            span = separator < 0
                ? new ExpectedBlockSpan(-1, last + 1, last + 1)
                : new ExpectedBlockSpan(lines[separator].Line, lines[separator].Line + 1, last + 1);
        }
        return new QueryRecord(file, lineNumber, conditions, types, sort, label, string.Join('\n', sql), expected, span);
    }

    private static int FindSeparator(List<(int Line, string Text)> lines, int from)
    {
        for (int i = from; i < lines.Count; i++)
        {
            if (lines[i].Text.TrimEnd() == "----")
            {
                return i;
            }
        }
        return -1;
    }

    private static List<string> Texts(List<(int Line, string Text)> lines, int from, int to, Dictionary<string, string> variables)
    {
        List<string> texts = new(Math.Max(0, to - from));
        for (int i = from; i < to; i++)
        {
            texts.Add(Substitute(lines[i].Text, variables));
        }
        return texts;
    }

    /// <summary>Replaces <c>${name}</c> with loop values (DuckDB also accepts <c>{name}</c> only for built-ins).</summary>
    private static string Substitute(string text, Dictionary<string, string> variables)
    {
        foreach (KeyValuePair<string, string> variable in variables)
        {
            text = text.Replace("${" + variable.Key + "}", variable.Value, StringComparison.Ordinal);
        }
        return text;
    }

    private static void Require(string[] words, int count, string file, int line)
    {
        if (words.Length < count)
        {
            throw Error(file, line, $"'{words[0]}' needs {count - 1} argument(s)");
        }
    }

    private static SltFormatException Error(string file, int line, string message) =>
        new($"{Path.GetFileName(file)}:{line}: {message}");
}
