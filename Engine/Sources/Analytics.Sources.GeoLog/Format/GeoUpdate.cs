namespace Analytics.Sources.GeoLog.Format;

/// <summary>
/// One location update of an object: its id and kind (vehicle, person, …), a timestamp (Unix milliseconds) and any
/// subset of the location fields and key-value data. Absent fields keep their previous value in the object's state.
/// </summary>
public readonly struct GeoUpdate
{
    public GeoUpdate(string objectId, string kind, long unixMilliseconds)
    {
        ObjectId = objectId;
        Kind = kind;
        UnixMilliseconds = unixMilliseconds;
    }

    public string ObjectId { get; }

    public string Kind { get; }

    public long UnixMilliseconds { get; }

    /// <summary>Degrees east, −180…180 (stored to 1e-7°).</summary>
    public double? Longitude { get; init; }

    /// <summary>Degrees north, −90…90 (stored to 1e-7°).</summary>
    public double? Latitude { get; init; }

    /// <summary>Horizontal accuracy in metres, ≥ 0 (stored to 0.01).</summary>
    public double? Accuracy { get; init; }

    /// <summary>Metres per second, ≥ 0 (stored to 0.01).</summary>
    public double? Speed { get; init; }

    /// <summary>Degrees clockwise from north, 0…360 (stored to 0.01).</summary>
    public double? Heading { get; init; }

    /// <summary>Metres above sea level (stored to 0.01).</summary>
    public double? Altitude { get; init; }

    /// <summary>Vertical accuracy in metres, ≥ 0 (stored to 0.01).</summary>
    public double? AltitudeAccuracy { get; init; }

    /// <summary>Key-value changes; a <see cref="GeoValue.Remove"/> value deletes the key.</summary>
    public IReadOnlyList<KeyValuePair<string, GeoValue>>? Data { get; init; }

    /// <summary>The value of field <paramref name="field"/> (see <see cref="GeoFields"/>).</summary>
    public double? Field(int field) => field switch
    {
        GeoFields.Longitude => Longitude,
        GeoFields.Latitude => Latitude,
        GeoFields.Accuracy => Accuracy,
        GeoFields.Speed => Speed,
        GeoFields.Heading => Heading,
        GeoFields.Altitude => Altitude,
        GeoFields.AltitudeAccuracy => AltitudeAccuracy,
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
