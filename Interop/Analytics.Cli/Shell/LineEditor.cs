using System.Text;

namespace Analytics.Cli.Shell;

/// <summary>
/// A small line editor over <see cref="Console.ReadKey(bool)"/> for terminals: left/right/home/end, backspace/delete,
/// and up/down through the lines entered in this session. Ctrl-D on an empty line is end of input.
/// </summary>
internal sealed class LineEditor
{
    private readonly List<string> _history = [];

    public string? ReadLine(string prompt)
    {
        StringBuilder line = new();
        int cursor = 0;
        int historyIndex = _history.Count;
        int drawnLength = 0;
        Console.Write(prompt);
        while (true)
        {
            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.Write('\n');
                    string text = line.ToString();
                    if (text.Length > 0 && (_history.Count == 0 || _history[^1] != text))
                    {
                        _history.Add(text);
                    }
                    return text;
                case ConsoleKey.Backspace when cursor > 0:
                    line.Remove(--cursor, 1);
                    break;
                case ConsoleKey.Delete when cursor < line.Length:
                    line.Remove(cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0:
                    cursor--;
                    break;
                case ConsoleKey.RightArrow when cursor < line.Length:
                    cursor++;
                    break;
                case ConsoleKey.Home:
                    cursor = 0;
                    break;
                case ConsoleKey.End:
                    cursor = line.Length;
                    break;
                case ConsoleKey.UpArrow when historyIndex > 0:
                    historyIndex--;
                    line.Clear().Append(_history[historyIndex]);
                    cursor = line.Length;
                    break;
                case ConsoleKey.DownArrow when historyIndex < _history.Count:
                    historyIndex++;
                    line.Clear().Append(historyIndex < _history.Count ? _history[historyIndex] : string.Empty);
                    cursor = line.Length;
                    break;
                case ConsoleKey.D when (key.Modifiers & ConsoleModifiers.Control) != 0 && line.Length == 0:
                    Console.Write('\n');
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        line.Insert(cursor++, key.KeyChar);
                    }
                    break;
            }
            Redraw(prompt, line, cursor, ref drawnLength);
        }
    }

    private static void Redraw(string prompt, StringBuilder line, int cursor, ref int drawnLength)
    {
        string text = line.ToString();
        int padding = Math.Max(0, drawnLength - text.Length);
        Console.Write("\r" + prompt + text + new string(' ', padding) + "\r" + prompt + text[..cursor]);
        drawnLength = text.Length;
    }
}
