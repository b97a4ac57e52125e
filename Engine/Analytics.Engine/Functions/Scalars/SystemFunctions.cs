using System.Reflection;
using Analytics.Engine.Execution;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>version() (scopeql.md §3.8): an object with the engine's version and build metadata.</summary>
internal static class SystemFunctions
{
    public static void Register(FunctionRegistry registry) =>
        registry.Add(new ScalarFunction("version", [], LogicalType.Object, Volatility.Stable, new Version()));

    private sealed class Version : StatementConstantKernel
    {
        private static readonly byte[] s_value = Build();

        public override object? Value(EvaluationContext context) => s_value;

        private static byte[] Build()
        {
            Assembly engine = typeof(SystemFunctions).Assembly;
            string version = engine.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? engine.GetName().Version?.ToString() ?? "0.0.0";
            VariantBuilder builder = new();
            builder.StartObject();
            builder.WriteKey("name".AsSpan());
            builder.WriteString("Analytics".AsSpan());
            builder.WriteKey("version".AsSpan());
            builder.WriteString(version.AsSpan());
            builder.WriteKey("runtime".AsSpan());
            builder.WriteString(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.AsSpan());
            builder.WriteKey("language".AsSpan());
            builder.WriteString("ScopeQL".AsSpan());
            builder.EndObject();
            return builder.Finish().ToArray();
        }
    }
}
