using System.Text;
using Analytics.Vector.Compression;
using Xunit;

namespace Analytics.Vector.Tests.Compression;

public sealed class Crc32CTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    [InlineData("123456789", 0xE3069283u)] // the CRC-32C check value (RFC 3720, iSCSI)
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void Known_check_values(string text, uint expected) =>
        Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Thirty_two_zero_bytes_match_the_rfc_3720_vector() =>
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));

    /// <summary>
    /// Lengths around the three-stream rounds (24 KiB each) and their combination, against the CRC computed bit by bit;
    /// a flipped byte anywhere changes it.
    /// </summary>
    [Theory]
    [InlineData(24_575)]
    [InlineData(24_576)]
    [InlineData(24_577)]
    [InlineData(49_152 + 13)]
    [InlineData(3 * 24_576 + 8 * 1_000 + 5)]
    [InlineData(215_000)]
    public void Long_inputs_match_the_bitwise_definition(int length)
    {
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        Assert.Equal(Bitwise(data), Crc32C.Compute(data));
        foreach (int flipped in new[] { 0, length / 3, length / 2, length - 1 })
        {
            data[flipped] ^= 0x10;
            Assert.Equal(Bitwise(data), Crc32C.Compute(data));
            data[flipped] ^= 0x10;
        }
    }

    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc >> 1) ^ (0x82F63B78u & (uint)-(int)(crc & 1));
            }
        }
        return ~crc;
    }
}
