using Analytics.Vector.Batches;

namespace Analytics.Engine.Scan;

/// <summary>Reads one split into reused batches.</summary>
public interface IScanReader : IDisposable
{
    /// <summary>
    /// Fills <paramref name="destination"/> (whose schema is the request's projected columns, in request order) with up to
    /// <see cref="Batch.Capacity"/> rows. Returns false when the split is exhausted (the batch is then empty).
    /// </summary>
    bool Read(Batch destination, CancellationToken cancellationToken);
}
