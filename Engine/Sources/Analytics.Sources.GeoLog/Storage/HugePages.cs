using System.Runtime.InteropServices;

namespace Analytics.Sources.GeoLog.Storage;

/// <summary>
/// Segment buffers backed by 2 MiB pages where the OS allows it (Linux, transparent huge pages in "madvise" or
/// "always" mode). State at T touches one run per object, each on its own 4 KiB pages of a segment of tens of MiB, so
/// with small pages nearly every object costs a TLB miss (a page walk) besides its cache miss; with huge pages the whole
/// segment fits in the TLB. Elsewhere, or if the advice fails, the buffer is an ordinary array.
/// </summary>
internal static unsafe partial class HugePages
{
    private const nuint HugePageBytes = 2 << 20;
    private const int AdviseHugePage = 14; // MADV_HUGEPAGE

    [LibraryImport("libc.so.6", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);

    private static bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>
    /// A pinned array of <paramref name="length"/> bytes whose whole 2 MiB-aligned interior is advised to use huge pages
    /// before anything is written to it (so the first touches fault in huge pages); contents are unspecified.
    /// </summary>
    public static byte[] Allocate(int length)
    {
        if (s_unavailable || (nuint)length < 2 * HugePageBytes)
        {
            return GC.AllocateUninitializedArray<byte>(length);
        }
        byte[] bytes = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        fixed (byte* start = bytes)
        {
            nuint first = ((nuint)start + HugePageBytes - 1) & ~(HugePageBytes - 1);
            nuint end = ((nuint)start + (nuint)length) & ~(HugePageBytes - 1);
            try
            {
                _ = Madvise((void*)first, end - first, AdviseHugePage); // advice only: a refusal leaves small pages
            }
            catch (DllNotFoundException)
            {
                s_unavailable = true;
            }
            catch (EntryPointNotFoundException)
            {
                s_unavailable = true;
            }
        }
        return bytes;
    }
}
