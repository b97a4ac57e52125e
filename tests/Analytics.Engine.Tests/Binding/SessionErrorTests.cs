using Analytics.Errors;
using Xunit;

namespace Analytics.Engine.Tests.Binding;

public class SessionErrorTests
{
    [Fact]
    public void Syntax_errors_become_query_exceptions_with_position()
    {
        using Database database = Database.OpenInMemory();
        using Session session = database.Connect();
        QueryException error = Assert.Throws<QueryException>(() => session.Execute("FROM t WHERE"));
        Assert.Equal(ErrorKind.Syntax, error.Kind);
        Assert.StartsWith("Syntax Error: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 1, column 13", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binder_and_catalog_errors_surface_before_execution()
    {
        using Database database = Database.OpenInMemory();
        using Session session = database.Connect();
        Assert.Equal("Catalog Error: table \"nope\" does not exist",
            Assert.Throws<QueryException>(() => session.Execute("FROM nope")).Message);
        Assert.Equal("Binder Error: LIMIT value 18446744073709551615 is out of range",
            Assert.Throws<QueryException>(() => session.Execute("SELECT 1 AS x LIMIT 18446744073709551615")).Message);
    }
}
