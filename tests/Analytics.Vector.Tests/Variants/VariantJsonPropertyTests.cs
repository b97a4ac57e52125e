using System.Text;
using Analytics.Vector.Variants;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Analytics.Vector.Tests.Variants;

/// <summary>
/// JSON → variant → JSON over random documents. The expected text comes from an independent model: keys sorted by
/// code point with the last duplicate winning, compact, our escape rules. Floats are checked as a fixpoint (parse →
/// write → parse gives the same bytes) because their text form is the formatter's business.
/// </summary>
public sealed class VariantJsonPropertyTests
{
    private static readonly char[] s_keyChars = ['a', 'b', 'c', 'Z', '_', '1', 'é', '中', '"', '\\', '\n', '\u0001'];

    private static Gen<string> Text(int maxLength) =>
        Gen.Choose(0, maxLength).SelectMany(length => Gen.Elements(s_keyChars).ArrayOf(length)).Select(chars => new string(chars));

    private static Gen<(string Input, string Expected)> Scalar() => Gen.OneOf(
        Gen.Choose(int.MinValue, int.MaxValue).Two().Select(v =>
        {
            string text = (((long)v.Item1 << 32) | (uint)v.Item2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (text, text);
        }),
        Text(70).Select(s => (Quote(s), Quote(s))),
        Gen.Elements(("true", "true"), ("false", "false"), ("null", "null"), (" 7 ", "7"), ("\"\\u0041\\/\"", "\"A/\"")));

    private static Gen<(string Input, string Expected)> Tree(int depth)
    {
        if (depth == 0)
        {
            return Scalar();
        }
        Gen<(string, string)> array = Tree(depth - 1).ListOf().Select(items =>
        {
            var input = new StringBuilder("[");
            var expected = new StringBuilder("[");
            for (int i = 0; i < items.Count; i++)
            {
                string separator = i > 0 ? "," : "";
                input.Append(separator).Append(' ').Append(items[i].Item1);
                expected.Append(separator).Append(items[i].Item2);
            }
            return (input.Append(']').ToString(), expected.Append(']').ToString());
        });
        Gen<(string, string)> obj = Text(4).Zip(Tree(depth - 1)).ListOf().Select(fields =>
        {
            var input = new StringBuilder("{");
            var last = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < fields.Count; i++)
            {
                (string key, (string valueIn, string valueOut)) = fields[i];
                input.Append(i > 0 ? "," : "").Append(Quote(key)).Append(':').Append(valueIn);
                last[key] = valueOut;
            }
            var expected = new StringBuilder("{");
            bool first = true;
            foreach (KeyValuePair<string, string> field in last)
            {
                expected.Append(first ? "" : ",").Append(Quote(field.Key)).Append(':').Append(field.Value);
                first = false;
            }
            return (input.Append('}').ToString(), expected.Append('}').ToString());
        });
        return Gen.OneOf(Scalar(), array, obj);
    }

    private static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (char c in text)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return builder.Append('"').ToString();
    }

    private static byte[] Parse(string json, VariantBuilder builder)
    {
        Assert.True(VariantJson.TryParse(Encoding.UTF8.GetBytes(json), builder, out VariantJsonError error), $"{error} in {json}");
        return builder.Finish().ToArray();
    }

    [Fact]
    public void Json_round_trips_to_the_sorted_compact_model() =>
        Prop.ForAll(Tree(3).ToArbitrary(), document =>
        {
            var builder = new VariantBuilder();
            byte[] row = Parse(document.Input, builder);
            string written = VariantJson.ToJsonString(VariantValue.Parse(row));
            Assert.Equal(document.Expected, written);
            Assert.Equal(row, Parse(written, builder));
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Floats_are_a_fixpoint_of_parse_and_write() =>
        Prop.ForAll(Gen.Choose(int.MinValue, int.MaxValue).Two().ListOf().ToArbitrary(), bits =>
        {
            var json = new StringBuilder("[");
            for (int i = 0; i < bits.Count; i++)
            {
                double value = BitConverter.Int64BitsToDouble(((long)bits[i].Item1 << 32) | (uint)bits[i].Item2);
                if (!double.IsFinite(value))
                {
                    continue;
                }
                json.Append(json.Length > 1 ? "," : "").Append(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }
            var builder = new VariantBuilder();
            byte[] row = Parse(json.Append(']').ToString(), builder);
            Assert.Equal(row, Parse(VariantJson.ToJsonString(VariantValue.Parse(row)), builder));
        }).QuickCheckThrowOnFailure();

    /// <summary>
    /// A JSON number as a random assembly of sign, integer, fraction and exponent parts, valid or not: leading zeros,
    /// 19-digit and 25-digit integers around the long and ulong limits, missing digits, exponents past the double range.
    /// </summary>
    private static Gen<string> NumberText()
    {
        Gen<string> digits = Gen.Choose(1, 25).SelectMany(n => Gen.Elements('0', '1', '5', '9').ArrayOf(n)).Select(d => new string(d));
        Gen<string> sign = Gen.Elements("", "", "-", "+");
        Gen<string> integer = Gen.OneOf(digits, Gen.Elements("", "0", "01", "9223372036854775807", "9223372036854775808",
            "18446744073709551615", "18446744073709551616", "123456789012345678"));
        Gen<string> fraction = Gen.OneOf(Gen.Elements("", "", "", "."), digits.Select(d => "." + d));
        Gen<string> exponent = Gen.OneOf(Gen.Elements("", "", "", "e", "E+", "e-", "e308", "E+309", "e-400", "e-330"),
            Gen.Elements("e", "E", "e+", "e-").Zip(digits).Select(e => e.Item1 + e.Item2));
        return sign.Zip(integer).Zip(fraction.Zip(exponent)).Select(p => p.Item1.Item1 + p.Item1.Item2 + p.Item2.Item1 + p.Item2.Item2);
    }

    /// <summary>A document with one edit: a character deleted, or one that matters to JSON inserted or substituted.</summary>
    private static Gen<string> Mutated(Gen<string> documents)
    {
        Gen<char> inserted = Gen.Elements(' ', '\n', ',', ':', '{', '}', '[', ']', '"', '\\', '0', '-', '.', 'e', 't', 'n', '\u0001', 'x');
        return documents.SelectMany(document => Gen.Choose(0, document.Length).SelectMany(at => Gen.Choose(0, 2).SelectMany(edit =>
            inserted.Select(c => edit switch
            {
                0 when at < document.Length => document.Remove(at, 1),
                1 when at < document.Length => document[..at] + c + document[(at + 1)..],
                _ => document.Insert(at, c.ToString()),
            }))));
    }

    /// <summary>TryParse (its plain fast path, falling back to the reader) gives what the reader path alone gives.</summary>
    private static void AssertAgreesWithReader(string json)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        var plain = new VariantBuilder();
        var reference = new VariantBuilder();
        bool parsed = VariantJson.TryParse(utf8, plain, out VariantJsonError error, maxDepth: 3);
        bool expected = VariantJson.TryParseWithReader(utf8, reference, out VariantJsonError expectedError, maxDepth: 3);
        Assert.True(parsed == expected, $"{json}: {error} / {expectedError}");
        Assert.Equal(expectedError, error);
        if (parsed)
        {
            Assert.Equal(reference.Finish().ToArray(), plain.Finish().ToArray());
        }
    }

    [Fact]
    public void The_plain_parser_agrees_with_the_reader_on_documents_and_broken_documents() =>
        Prop.ForAll(Gen.OneOf(Tree(4).Select(d => d.Input), Mutated(Tree(3).Select(d => d.Input))).ToArbitrary(), AssertAgreesWithReader)
            .QuickCheckThrowOnFailure();

    [Fact]
    public void The_plain_parser_agrees_with_the_reader_on_numbers() =>
        Prop.ForAll(NumberText().Zip(Gen.Elements("{0}", "[{0}]", " {0} ", "{{\"a\":{0}}}", "[{0},1]", "[1 {0}]")).ToArbitrary(), number =>
            AssertAgreesWithReader(string.Format(System.Globalization.CultureInfo.InvariantCulture, number.Item2, number.Item1)))
            .QuickCheckThrowOnFailure();

    [Fact]
    public void Comparison_is_antisymmetric_transitive_and_agrees_with_byte_equality() =>
        Prop.ForAll(Tree(2).Three().ToArbitrary(), documents =>
        {
            var builder = new VariantBuilder();
            byte[] a = Parse(documents.Item1.Input, builder);
            byte[] b = Parse(documents.Item2.Input, builder);
            byte[] c = Parse(documents.Item3.Input, builder);
            int ab = VariantComparer.Compare(VariantValue.Parse(a), VariantValue.Parse(b));
            int ba = VariantComparer.Compare(VariantValue.Parse(b), VariantValue.Parse(a));
            int bc = VariantComparer.Compare(VariantValue.Parse(b), VariantValue.Parse(c));
            int ac = VariantComparer.Compare(VariantValue.Parse(a), VariantValue.Parse(c));
            Assert.Equal(Math.Sign(ab), -Math.Sign(ba));
            Assert.Equal(ab == 0, a.AsSpan().SequenceEqual(b));
            if (ab <= 0 && bc <= 0)
            {
                Assert.True(ac <= 0);
            }
        }).QuickCheckThrowOnFailure();
}
