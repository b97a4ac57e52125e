using System.Data.Common;

namespace Analytics.Data;

/// <summary>
/// The provider factory: <c>DbProviderFactories.RegisterFactory(AnalyticsFactory.ProviderInvariantName, AnalyticsFactory.Instance)</c>.
/// </summary>
public sealed class AnalyticsFactory : DbProviderFactory
{
    public const string ProviderInvariantName = "Analytics.Data";

    public static readonly AnalyticsFactory Instance = new();

    private AnalyticsFactory()
    {
    }

    public override bool CanCreateBatch => true;

    public override bool CanCreateDataSourceEnumerator => false;

    public override DbConnection CreateConnection() => new AnalyticsConnection();

    public override DbCommand CreateCommand() => new AnalyticsCommand();

    public override DbParameter CreateParameter() => new AnalyticsParameter();

    public override DbConnectionStringBuilder CreateConnectionStringBuilder() => new AnalyticsConnectionStringBuilder();

    public override DbBatch CreateBatch() => new AnalyticsBatch();

    public override DbBatchCommand CreateBatchCommand() => new AnalyticsBatchCommand();

    public override DbDataSource CreateDataSource(string connectionString) => new AnalyticsDataSource(connectionString);
}
