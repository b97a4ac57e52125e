using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Analytics.SqlLogicTests.Runner;

/// <summary>Sorting, hashing and line matching of query results; pure, so it is unit-tested without an engine.</summary>
public static class SltResultComparer
{
    public const string IgnoreMarker = "<slt:ignore>";

    /// <summary>Lines as the runner compares them: rows sorted for rowsort, values one per line for valuesort.</summary>
    public static List<string> Arrange(List<string[]> rows, SortMode sort)
    {
        List<string> lines = [];
        if (sort == SortMode.ValueSort)
        {
            foreach (string[] row in rows)
            {
                lines.AddRange(row);
            }
            lines.Sort(StringComparer.Ordinal);
            return lines;
        }
        foreach (string[] row in rows)
        {
            lines.Add(string.Join('\t', row));
        }
        if (sort == SortMode.RowSort)
        {
            lines.Sort(StringComparer.Ordinal);
        }
        return lines;
    }

    /// <summary>Expected lines in the same arrangement (valuesort files may list values either per row or per line).</summary>
    public static List<string> ArrangeExpected(IReadOnlyList<string> expected, SortMode sort)
    {
        List<string> lines = [];
        foreach (string line in expected)
        {
            if (sort == SortMode.ValueSort)
            {
                lines.AddRange(line.TrimEnd().Split('\t'));
            }
            else
            {
                lines.Add(line.TrimEnd());
            }
        }
        if (sort != SortMode.NoSort)
        {
            lines.Sort(StringComparer.Ordinal);
        }
        return lines;
    }

    /// <summary><c>K values hashing to &lt;md5&gt;</c>: MD5 of every value followed by a newline, in arranged order.</summary>
    public static string Hash(List<string[]> rows, SortMode sort)
    {
        int values = 0;
        StringBuilder text = new();
        if (sort == SortMode.ValueSort)
        {
            foreach (string value in Arrange(rows, sort))
            {
                text.Append(value).Append('\n');
                values++;
            }
        }
        else
        {
            foreach (string line in Arrange(rows, sort))
            {
                foreach (string value in line.Split('\t'))
                {
                    text.Append(value).Append('\n');
                    values++;
                }
            }
        }
        string md5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        return $"{values} values hashing to {md5}";
    }

    public static bool IsHashLine(IReadOnlyList<string> expected) =>
        expected.Count == 1 && expected[0].Contains(" values hashing to ", StringComparison.Ordinal);

    /// <summary>One line: exact after trimming trailing whitespace, with <c>&lt;slt:ignore&gt;</c> matching anything.</summary>
    public static bool LineMatches(string expected, string actual)
    {
        expected = expected.TrimEnd();
        actual = actual.TrimEnd();
        if (!expected.Contains(IgnoreMarker, StringComparison.Ordinal))
        {
            return string.Equals(expected, actual, StringComparison.Ordinal);
        }
        string[] parts = expected.Split(IgnoreMarker);
        StringBuilder pattern = new("^");
        for (int i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                pattern.Append(".*");
            }
            pattern.Append(Regex.Escape(parts[i]));
        }
        pattern.Append('$');
        return Regex.IsMatch(actual, pattern.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    public static bool LinesMatch(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        if (expected.Count != actual.Count)
        {
            return false;
        }
        for (int i = 0; i < expected.Count; i++)
        {
            if (!LineMatches(expected[i], actual[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// <c>statement error</c> expectations: a substring, <c>&lt;REGEX&gt;:pattern</c> (must match) or
    /// <c>&lt;!REGEX&gt;:pattern</c> (must not match). An empty expectation accepts any error.
    /// </summary>
    public static bool ErrorMatches(string? expected, string message)
    {
        if (string.IsNullOrEmpty(expected))
        {
            return true;
        }
        const RegexOptions options = RegexOptions.Singleline | RegexOptions.CultureInvariant;
        if (expected.StartsWith("<REGEX>:", StringComparison.Ordinal))
        {
            return Regex.IsMatch(message, expected["<REGEX>:".Length..], options);
        }
        if (expected.StartsWith("<!REGEX>:", StringComparison.Ordinal))
        {
            return !Regex.IsMatch(message, expected["<!REGEX>:".Length..], options);
        }
        return message.Contains(expected, StringComparison.Ordinal);
    }
}
