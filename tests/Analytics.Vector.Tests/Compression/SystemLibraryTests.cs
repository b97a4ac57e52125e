using Analytics.Errors;
using Analytics.Vector.Compression;
using Xunit;

namespace Analytics.Vector.Tests.Compression;

public sealed class SystemLibraryTests
{
    [Fact]
    public void A_missing_system_library_is_one_clear_error_naming_the_package()
    {
        SystemLibrary missing = new("libanalytics-no-such-library.so.1", "frobnication", "libfrob1");
        QueryException error = Assert.Throws<QueryException>(missing.EnsureAvailable);
        Assert.Equal("IO Error: frobnication support needs libanalytics-no-such-library.so.1 (Debian package libfrob1)", error.Message);
        new SystemLibrary("libz.so.1", "gzip", "zlib1g").EnsureAvailable();
    }
}
