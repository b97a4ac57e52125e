using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Cli.Output;

/// <summary>
/// <c>json</c>: one array per statement, one object per line inside it; <c>ndjson</c>: one object per line.
/// Each row is encoded with <see cref="Utf8JsonWriter"/> into a reused buffer and written immediately.
/// </summary>
internal sealed class JsonFormatter : IResultFormatter
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    private readonly TextWriter _output;
    private readonly bool _array;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;
    private JsonEncodedText[] _names = [];
    private bool _first;

    public JsonFormatter(TextWriter output, bool array)
    {
        _output = output;
        _array = array;
        _writer = new Utf8JsonWriter(_buffer, s_options);
    }

    public void Begin(BatchSchema schema)
    {
        _names = new JsonEncodedText[schema.Count];
        for (int column = 0; column < schema.Count; column++)
        {
            _names[column] = JsonEncodedText.Encode(schema[column].Name, s_options.Encoder);
        }
        _first = true;
        if (_array)
        {
            _output.Write("[\n");
        }
    }

    public void WriteBatch(Batch batch)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            int row = batch.RowAt(i);
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            _writer.WriteStartObject();
            for (int column = 0; column < _names.Length; column++)
            {
                _writer.WritePropertyName(_names[column]);
                ValueText.WriteJson(_writer, batch.Columns[column], row);
            }
            _writer.WriteEndObject();
            _writer.Flush();
            if (_array && !_first)
            {
                _output.Write(",\n");
            }
            _first = false;
            _output.Write(Encoding.UTF8.GetString(_buffer.WrittenSpan));
            if (!_array)
            {
                _output.Write('\n');
            }
        }
    }

    public void End()
    {
        if (_array)
        {
            _output.Write(_first ? "]\n" : "\n]\n");
        }
        _output.Flush();
    }
}
