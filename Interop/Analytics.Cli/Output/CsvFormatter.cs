using System.Text;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Cli.Output;

/// <summary>RFC 4180: a header line, CRLF-free <c>\n</c> record ends, NULL as an empty field.</summary>
internal sealed class CsvFormatter(TextWriter output) : IResultFormatter
{
    private readonly StringBuilder _line = new();

    public void Begin(BatchSchema schema)
    {
        _line.Clear();
        for (int column = 0; column < schema.Count; column++)
        {
            AppendField(column, schema[column].Name);
        }
        output.Write(_line.Append('\n'));
    }

    public void WriteBatch(Batch batch)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            int row = batch.RowAt(i);
            _line.Clear();
            for (int column = 0; column < batch.Columns.Length; column++)
            {
                var vector = batch.Columns[column];
                AppendField(column, vector.IsNullAt(row) ? string.Empty : ValueText.Machine(vector, row));
            }
            output.Write(_line.Append('\n'));
        }
    }

    public void End() => output.Flush();

    private void AppendField(int column, string value)
    {
        if (column > 0)
        {
            _line.Append(',');
        }
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            _line.Append(value);
            return;
        }
        _line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
