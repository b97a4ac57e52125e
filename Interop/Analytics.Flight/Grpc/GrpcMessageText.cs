using System.Text;

namespace Analytics.Flight.Grpc;

/// <summary>
/// The <c>grpc-message</c> encoding: UTF-8, with every byte outside 0x20–0x7E and <c>%</c> percent-encoded (and
/// nothing else: grpc-js decodes with <c>decodeURI</c>, which leaves reserved characters such as <c>%3A</c> encoded).
/// Decoding never throws: a malformed escape is kept as it is.
/// </summary>
public static class GrpcMessageText
{
    public static string Encode(string message)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(message);
        StringBuilder text = new(utf8.Length);
        foreach (byte b in utf8)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }
        return text.ToString();
    }

    public static string Decode(string encoded)
    {
        if (!encoded.Contains('%', StringComparison.Ordinal))
        {
            return encoded;
        }
        List<byte> bytes = new(encoded.Length);
        for (int i = 0; i < encoded.Length; i++)
        {
            char c = encoded[i];
            if (c == '%' && i + 2 < encoded.Length && IsHex(encoded[i + 1]) && IsHex(encoded[i + 2]))
            {
                bytes.Add((byte)((HexValue(encoded[i + 1]) << 4) | HexValue(encoded[i + 2])));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
