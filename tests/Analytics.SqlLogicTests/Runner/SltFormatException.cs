namespace Analytics.SqlLogicTests.Runner;

/// <summary>A malformed .slt file; the message starts with <c>file.slt:LINE</c>.</summary>
public sealed class SltFormatException(string message) : Exception(message);
