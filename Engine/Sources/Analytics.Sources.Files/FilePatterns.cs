using Analytics.Errors;

namespace Analytics.Sources.Files;

/// <summary>
/// Expands a file argument of a table function: a plain path, or a glob whose file-name part (and directory parts)
/// may use <c>*</c>, <c>?</c> and <c>**</c> (any number of directories). Matches are returned in ordinal path order
/// so a load reads files in a stable order.
/// </summary>
public static class FilePatterns
{
    public static IReadOnlyList<string> Expand(string function, string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.AsSpan().IndexOfAny('*', '?') < 0)
        {
            return File.Exists(pattern)
                ? [pattern]
                : throw new QueryException(ErrorKind.Io, Directory.Exists(pattern)
                    ? $"{function}(): '{pattern}' is a directory, not a file (use a glob such as '{Path.Combine(pattern, "*")}')"
                    : $"{function}(): file not found: '{pattern}'");
        }
        string full = Path.GetFullPath(pattern);
        string root = Path.GetPathRoot(full)!;
        string[] parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        List<string> matches = [];
        Walk(root, parts, 0, matches);
        if (matches.Count == 0)
        {
            throw new QueryException(ErrorKind.Io, $"{function}(): no file matches '{pattern}'");
        }
        matches.Sort(StringComparer.Ordinal);
        return matches;
    }

    private static void Walk(string directory, string[] parts, int index, List<string> matches)
    {
        string part = parts[index];
        bool last = index == parts.Length - 1;
        if (part == "**")
        {
            if (last)
            {
                matches.AddRange(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories));
                return;
            }
            Walk(directory, parts, index + 1, matches);
            foreach (string child in Directory.EnumerateDirectories(directory))
            {
                Walk(child, parts, index, matches);
            }
            return;
        }
        if (part.AsSpan().IndexOfAny('*', '?') < 0)
        {
            string next = Path.Combine(directory, part);
            if (last)
            {
                if (File.Exists(next))
                {
                    matches.Add(next);
                }
            }
            else if (Directory.Exists(next))
            {
                Walk(next, parts, index + 1, matches);
            }
            return;
        }
        if (!Directory.Exists(directory))
        {
            return;
        }
        if (last)
        {
            matches.AddRange(Directory.EnumerateFiles(directory, part, new EnumerationOptions { MatchType = MatchType.Simple, MatchCasing = MatchCasing.CaseSensitive }));
            return;
        }
        foreach (string child in Directory.EnumerateDirectories(directory, part, new EnumerationOptions { MatchType = MatchType.Simple, MatchCasing = MatchCasing.CaseSensitive }))
        {
            Walk(child, parts, index + 1, matches);
        }
    }
}
