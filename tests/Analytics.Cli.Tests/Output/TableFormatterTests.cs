using Analytics.Cli.Output;
using Analytics.Vector.Batches;
using Xunit;

namespace Analytics.Cli.Tests.Output;

public sealed class TableFormatterTests
{
    private static string Format(bool ascii, int maxRows, params Batch[] batches)
    {
        StringWriter output = new();
        TableFormatter formatter = new(output, maxRows, ascii);
        formatter.Begin(batches[0].Schema);
        foreach (Batch batch in batches)
        {
            formatter.WriteBatch(batch);
        }
        formatter.End();
        return output.ToString();
    }

    [Fact]
    public void End_draws_ascii_box_with_names_types_right_aligned_numbers_and_caption()
    {
        Batch batch = TestBatches.Mixed(third: "x");

        Assert.Equal(
            "+-----+--------+-------+---------+\n" +
            "| id  | name   | price | ok      |\n" +
            "| int | string | float | boolean |\n" +
            "+-----+--------+-------+---------+\n" +
            "|   1 | plain  | 626.0 | true    |\n" +
            "|   2 | NULL   |  NULL | NULL    |\n" +
            "|   3 | x      |   0.1 | false   |\n" +
            "+-----+--------+-------+---------+\n" +
            "3 rows\n",
            Format(ascii: true, maxRows: 40, batch));
    }

    [Fact]
    public void End_draws_unicode_box_and_singular_caption()
    {
        Assert.Equal(
            "┌─────┐\n" +
            "│ n   │\n" +
            "│ int │\n" +
            "├─────┤\n" +
            "│   7 │\n" +
            "└─────┘\n" +
            "1 row\n",
            Format(ascii: false, maxRows: 40, TestBatches.Ints("n", 1, first: 7)));
    }

    [Fact]
    public void End_elides_the_middle_of_results_longer_than_maxrows()
    {
        Assert.Equal(
            "+-----+\n" +
            "| n   |\n" +
            "| int |\n" +
            "+-----+\n" +
            "|   1 |\n" +
            "|   2 |\n" +
            "| .   |\n" +
            "|   9 |\n" +
            "|  10 |\n" +
            "+-----+\n" +
            "10 rows (4 shown)\n",
            Format(ascii: true, maxRows: 4, TestBatches.Ints("n", 3), TestBatches.Ints("n", 7, first: 4)));
    }

    [Fact]
    public void End_of_an_empty_result_keeps_the_header()
    {
        Assert.Equal("+-----+\n| n   |\n| int |\n+-----+\n+-----+\n0 rows\n", Format(ascii: true, maxRows: 40, TestBatches.Ints("n", 0)));
    }
}
