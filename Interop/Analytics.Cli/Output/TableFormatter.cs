using System.Globalization;
using System.Text;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Cli.Output;

/// <summary>
/// The duckbox look: a box with a column-name row, a type row, the rows, and a caption <c>N rows</c>. Results with
/// more than <c>maxRows</c> rows keep only their first and last halves (a bounded head list and tail ring), so memory
/// stays bounded, and print an elision row between them. <c>ascii</c> draws with <c>+-|</c> instead of box characters.
/// </summary>
internal sealed class TableFormatter(TextWriter output, int maxRows, bool ascii) : IResultFormatter
{
    private readonly List<string[]> _head = [];
    private string[][] _tail = [];
    private int _tailStart;
    private int _tailCount;
    private int _headLimit;
    private long _total;
    private BatchSchema _schema = BatchSchema.Empty;

    public void Begin(BatchSchema schema)
    {
        _schema = schema;
        _head.Clear();
        _headLimit = (maxRows + 1) / 2;
        _tail = new string[maxRows - _headLimit][];
        _tailStart = 0;
        _tailCount = 0;
        _total = 0;
    }

    public void WriteBatch(Batch batch)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            int row = batch.RowAt(i);
            string[] cells = new string[batch.Columns.Length];
            for (int column = 0; column < cells.Length; column++)
            {
                cells[column] = ValueText.Display(batch.Columns[column], row);
            }
            Keep(cells);
            _total++;
        }
    }

    private void Keep(string[] cells)
    {
        if (_head.Count < _headLimit)
        {
            _head.Add(cells);
            return;
        }
        if (_tail.Length == 0)
        {
            return;
        }
        if (_tailCount < _tail.Length)
        {
            _tail[(_tailStart + _tailCount) % _tail.Length] = cells;
            _tailCount++;
            return;
        }
        _tail[_tailStart] = cells;
        _tailStart = (_tailStart + 1) % _tail.Length;
    }

    public void End()
    {
        int columns = _schema.Count;
        bool elided = _total > _head.Count + _tailCount;
        List<string[]> rows = new(_head.Count + _tailCount);
        rows.AddRange(_head);
        for (int i = 0; i < _tailCount; i++)
        {
            rows.Add(_tail[(_tailStart + i) % _tail.Length]);
        }

        if (columns > 0)
        {
            int[] widths = new int[columns];
            bool[] right = new bool[columns];
            for (int column = 0; column < columns; column++)
            {
                Field field = _schema[column];
                widths[column] = Math.Max(field.Name.Length, field.Type.Name.Length);
                right[column] = field.Type.IsNumeric;
                foreach (string[] row in rows)
                {
                    widths[column] = Math.Max(widths[column], row[column].Length);
                }
            }

            StringBuilder text = new();
            Rule(text, widths, ascii ? "+-++" : "┌─┬┐");
            Row(text, widths, NamesOf(false), null);
            Row(text, widths, NamesOf(true), null);
            Rule(text, widths, ascii ? "+-++" : "├─┼┤");
            for (int i = 0; i < rows.Count; i++)
            {
                if (elided && i == _head.Count)
                {
                    string[] dots = new string[columns];
                    Array.Fill(dots, ascii ? "." : "·");
                    Row(text, widths, dots, null);
                }
                Row(text, widths, rows[i], right);
            }
            Rule(text, widths, ascii ? "+-++" : "└─┴┘");
            output.Write(text.ToString());
        }

        string caption = _total == 1 ? "1 row" : _total.ToString(CultureInfo.InvariantCulture) + " rows";
        if (elided)
        {
            caption += " (" + rows.Count.ToString(CultureInfo.InvariantCulture) + " shown)";
        }
        output.Write(caption + "\n");
        output.Flush();
    }

    private string[] NamesOf(bool types)
    {
        string[] names = new string[_schema.Count];
        for (int column = 0; column < names.Length; column++)
        {
            names[column] = types ? _schema[column].Type.Name : _schema[column].Name;
        }
        return names;
    }

    private static void Rule(StringBuilder text, int[] widths, string corners)
    {
        text.Append(corners[0]);
        for (int column = 0; column < widths.Length; column++)
        {
            if (column > 0)
            {
                text.Append(corners[2]);
            }
            text.Append(corners[1], widths[column] + 2);
        }
        text.Append(corners[3]).Append('\n');
    }

    private void Row(StringBuilder text, int[] widths, string[] cells, bool[]? right)
    {
        char bar = ascii ? '|' : '│';
        text.Append(bar);
        for (int column = 0; column < widths.Length; column++)
        {
            string cell = cells[column];
            text.Append(' ');
            if (right is not null && right[column])
            {
                text.Append(' ', widths[column] - cell.Length).Append(cell);
            }
            else
            {
                text.Append(cell).Append(' ', widths[column] - cell.Length);
            }
            text.Append(' ').Append(bar);
        }
        text.Append('\n');
    }
}
