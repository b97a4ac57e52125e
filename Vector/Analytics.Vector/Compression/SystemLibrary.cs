using System.Runtime.InteropServices;
using Analytics.Errors;

namespace Analytics.Vector.Compression;

/// <summary>
/// A system library called through P/Invoke, probed once with the search rules LibraryImport uses, so a missing
/// library becomes one clear message instead of a DllNotFoundException at whichever call happens to come first.
/// </summary>
internal sealed class SystemLibrary(string name, string feature, string package)
{
    private readonly bool _available = NativeLibrary.TryLoad(name, typeof(SystemLibrary).Assembly, searchPath: null, out _);

    /// <summary>Throws the user-facing error when the library cannot be loaded.</summary>
    public void EnsureAvailable()
    {
        if (!_available)
        {
            ThrowHelper.Throw(ErrorKind.Io, $"{feature} support needs {name} (Debian package {package})");
        }
    }
}
