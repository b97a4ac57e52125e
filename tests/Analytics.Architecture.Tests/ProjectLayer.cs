namespace Analytics.Architecture.Tests;

/// <summary>Where a project sits in the layering of architecture.md §12.2.</summary>
public enum ProjectLayer
{
    Vector,
    Sql,
    Index,
    EngineScan,
    Source,
    Engine,
    Interop,
    Cli,
    TestsOrPerf,
    Unknown,
}
