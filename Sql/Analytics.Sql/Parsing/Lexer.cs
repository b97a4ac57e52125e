using System.Globalization;
using System.Text;

namespace Analytics.Sql.Parsing;

/// <summary>
/// ScopeQL's lexical rules (scopeql.md §4.1), one token at a time from a given offset. The parser asks for the token
/// at an offset and, after consuming it, skips the trivia that follows, so every parser starts on a token.
/// </summary>
internal static class Lexer
{
    private static readonly string[] s_twoCharSymbols = ["::", "<=", ">=", "<>", "!=", "||", "=>"];
    private const string SingleCharSymbols = "=<>+-*/%()[]{},.:;";

    /// <summary>
    /// The offset of the first token at or after <paramref name="offset"/>, skipping whitespace and comments. An
    /// unclosed block comment is left in place so that the lexer reports it.
    /// </summary>
    public static int SkipTrivia(string text, int offset)
    {
        var i = offset;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is ' ' or '\t' or '\r' or '\n' or '\f')
            {
                i++;
            }
            else if (c == '-' && i + 1 < text.Length && text[i + 1] == '-')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var close = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    return i;
                }

                i = close + 2;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    public static Token Lex(SourceText source, int offset)
    {
        var text = source.Text;
        if (offset >= text.Length)
        {
            return new Token(TokenKind.End, source.SpanOf(text.Length, text.Length), "end of input");
        }

        var c = text[offset];
        if (c == '/' && offset + 1 < text.Length && text[offset + 1] == '*')
        {
            return Unterminated(source, offset, "unterminated block comment");
        }

        if ((c is 'x' or 'X') && offset + 1 < text.Length && text[offset + 1] == '\'')
        {
            return LexBinary(source, offset);
        }

        if (IsIdentifierStart(c))
        {
            var end = offset + 1;
            while (end < text.Length && IsIdentifierPart(text[end]))
            {
                end++;
            }

            return new Token(TokenKind.Word, source.SpanOf(offset, end), text[offset..end].ToLowerInvariant());
        }

        if (c is '\'' or '"')
        {
            return LexQuoted(source, offset, TokenKind.String, "unterminated string literal");
        }

        if (c == '`')
        {
            return LexQuoted(source, offset, TokenKind.QuotedIdentifier, "unterminated quoted identifier");
        }

        if (char.IsAsciiDigit(c))
        {
            return LexNumber(source, offset);
        }

        if (c == '$')
        {
            var end = offset + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end == offset + 1)
            {
                return new Token(TokenKind.Error, source.SpanOf(offset, end), "'$' must be followed by a column position");
            }

            if (!int.TryParse(text.AsSpan(offset + 1, end - offset - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            {
                return new Token(TokenKind.Error, source.SpanOf(offset, end), "column position out of range");
            }

            return new Token(TokenKind.Positional, source.SpanOf(offset, end), text[offset..end]) { Integer = (ulong)position };
        }

        if (c == '?')
        {
            return new Token(TokenKind.Parameter, source.SpanOf(offset, offset + 1), string.Empty);
        }

        if (c == '@')
        {
            var end = offset + 1;
            if (end >= text.Length || !IsIdentifierStart(text[end]))
            {
                return new Token(TokenKind.Error, source.SpanOf(offset, end), "'@' must be followed by a parameter name");
            }

            while (end < text.Length && IsIdentifierPart(text[end]))
            {
                end++;
            }

            return new Token(TokenKind.Parameter, source.SpanOf(offset, end), text[(offset + 1)..end]);
        }

        if (offset + 1 < text.Length)
        {
            foreach (var symbol in s_twoCharSymbols)
            {
                if (text[offset] == symbol[0] && text[offset + 1] == symbol[1])
                {
                    return new Token(TokenKind.Symbol, source.SpanOf(offset, offset + 2), symbol);
                }
            }
        }

        if (SingleCharSymbols.Contains(c, StringComparison.Ordinal))
        {
            return new Token(TokenKind.Symbol, source.SpanOf(offset, offset + 1), c.ToString());
        }

        var length = char.IsSurrogatePair(text, offset) ? 2 : 1;
        return new Token(TokenKind.Error, source.SpanOf(offset, offset + length), $"unexpected character '{text.Substring(offset, length)}'");
    }

    public static bool IsIdentifierStart(char c) => c == '_' || char.IsAsciiLetter(c);

    public static bool IsIdentifierPart(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);

    private static Token Unterminated(SourceText source, int offset, string message) =>
        new(TokenKind.Error, source.SpanOf(offset, source.Text.Length), message) { IsUnterminated = true };

    private static Token LexQuoted(SourceText source, int offset, TokenKind kind, string unterminatedMessage)
    {
        var text = source.Text;
        var quote = text[offset];
        var value = new StringBuilder();
        var i = offset + 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    value.Append(quote);
                    i += 2;
                    continue;
                }

                return new Token(kind, source.SpanOf(offset, i + 1), value.ToString());
            }

            if (c == '\\' && i + 1 < text.Length)
            {
                var escaped = text[i + 1];
                switch (escaped)
                {
                    case 't': value.Append('\t'); i += 2; continue;
                    case 'n': value.Append('\n'); i += 2; continue;
                    case 'r': value.Append('\r'); i += 2; continue;
                    case '\\' or '\'' or '"' or '`': value.Append(escaped); i += 2; continue;
                    case 'x':
                        if (i + 3 < text.Length && char.IsAsciiHexDigit(text[i + 2]) && char.IsAsciiHexDigit(text[i + 3]))
                        {
                            value.Append((char)int.Parse(text.AsSpan(i + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                            i += 4;
                            continue;
                        }

                        return new Token(TokenKind.Error, source.SpanOf(i, Math.Min(i + 4, text.Length)), "invalid escape sequence, \\x needs two hex digits");
                    default:
                        // Unknown escapes stay as written so regular expressions such as '\d+' need no doubling.
                        value.Append('\\').Append(escaped);
                        i += 2;
                        continue;
                }
            }

            value.Append(c);
            i++;
        }

        return Unterminated(source, offset, unterminatedMessage);
    }

    private static Token LexBinary(SourceText source, int offset)
    {
        var text = source.Text;
        var close = text.IndexOf('\'', offset + 2);
        if (close < 0)
        {
            return Unterminated(source, offset, "unterminated binary literal");
        }

        var hex = text.AsSpan(offset + 2, close - offset - 2);
        if (hex.Length % 2 != 0 || hex.ContainsAnyExcept("0123456789abcdefABCDEF"))
        {
            return new Token(TokenKind.Error, source.SpanOf(offset, close + 1), "binary literal must hold an even number of hex digits");
        }

        return new Token(TokenKind.Binary, source.SpanOf(offset, close + 1), text[offset..(close + 1)]) { Bytes = Convert.FromHexString(hex) };
    }

    private static Token LexNumber(SourceText source, int offset)
    {
        var text = source.Text;
        if (text[offset] == '0' && offset + 1 < text.Length && (text[offset + 1] is 'x' or 'X'))
        {
            var hexEnd = offset + 2;
            while (hexEnd < text.Length && char.IsAsciiHexDigit(text[hexEnd]))
            {
                hexEnd++;
            }

            if (hexEnd == offset + 2)
            {
                return new Token(TokenKind.Error, source.SpanOf(offset, hexEnd), "hex integer literal needs digits after '0x'");
            }

            if (!ulong.TryParse(text.AsSpan(offset + 2, hexEnd - offset - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hexValue))
            {
                return new Token(TokenKind.Error, source.SpanOf(offset, hexEnd), "integer literal out of range");
            }

            return new Token(TokenKind.Integer, source.SpanOf(offset, hexEnd), text[offset..hexEnd]) { Integer = hexValue };
        }

        var end = offset;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '_'))
        {
            end++;
        }

        var isFloat = false;
        if (end + 1 < text.Length && text[end] == '.' && char.IsAsciiDigit(text[end + 1]))
        {
            isFloat = true;
            end += 2;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }
        }

        if (end < text.Length && (text[end] is 'e' or 'E'))
        {
            var exponent = end + 1;
            if (exponent < text.Length && (text[exponent] is '+' or '-'))
            {
                exponent++;
            }

            if (exponent < text.Length && char.IsAsciiDigit(text[exponent]))
            {
                isFloat = true;
                end = exponent;
                while (end < text.Length && char.IsAsciiDigit(text[end]))
                {
                    end++;
                }
            }
        }

        var raw = text[offset..end];
        var digits = raw.Replace("_", string.Empty, StringComparison.Ordinal);
        var span = source.SpanOf(offset, end);
        if (isFloat)
        {
            return new Token(TokenKind.Float, span, raw) { Float = double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture) };
        }

        return ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? new Token(TokenKind.Integer, span, raw) { Integer = value }
            : new Token(TokenKind.Error, span, "integer literal out of range");
    }
}
