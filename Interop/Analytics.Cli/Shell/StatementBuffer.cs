using System.Text;
using Analytics.Sql;

namespace Analytics.Cli.Shell;

/// <summary>
/// Collects input lines until they form complete statements (the parser's own completeness check, so quotes and
/// comments containing <c>;</c> are handled exactly as the parser lexes them).
/// </summary>
internal sealed class StatementBuffer
{
    private readonly StringBuilder _text = new();

    public bool IsEmpty => _text.Length == 0;

    public void Append(string line)
    {
        if (_text.Length > 0)
        {
            _text.Append('\n');
        }
        _text.Append(line);
    }

    public bool IsComplete => ScopeQlParser.IsComplete(_text.ToString());

    public bool HasContent => !string.IsNullOrWhiteSpace(_text.ToString());

    public string Take()
    {
        string text = _text.ToString();
        _text.Clear();
        return text;
    }

    public void Clear() => _text.Clear();
}
