/// What to do with a reader, given how far behind it is.
public enum ReaderLagDecision: Sendable, Equatable {
    /// The reader keeps up: go on.
    case keepGoing
    /// The reader is too far behind: move it to the newest keyframe, so that what it receives
    /// stays decodable, and count the skip.
    case skipToNewestKeyframe
    /// The reader keeps falling behind: disconnect it.
    case disconnect(ReaderCutReason)
}

/// Why a reader was disconnected by the server.
public enum ReaderCutReason: String, Sendable, CaseIterable, Hashable {
    /// It was moved forward more than `readers.max_skips` times within the skip window.
    case tooManySkips = "too_many_skips"
    /// Memory reached critical, where readers go before any publisher is shed.
    case memoryCritical = "memory_critical"
    /// An operator disconnected it (`DELETE /api/readers/{id}`).
    case operatorRequest = "operator"
}

/// Decides what happens to a reader that lags: the bound on how much output a slow reader can
/// hold, applied so that a reader never receives a broken GOP.
///
/// A reader may lag by `readers.max_lag_ms` of media and by `readers.max_lag_bytes` of output,
/// or by one GOP if that is longer (moving it forward can only land on a keyframe). Past
/// either, it is moved to the newest keyframe; a reader already there is left alone, since
/// there is nowhere further to go. A reader moved more than `readers.max_skips` times within
/// ``skipWindow`` cannot keep up with the stream at all and is disconnected.
public struct ReaderLagPolicy: Sendable, Equatable {
    /// The window in which skips are counted.
    public static let skipWindow = Duration.seconds(30)

    /// The media time a reader may lag (at least one GOP).
    public var maxLag: Duration
    /// The output bytes a reader may lag.
    public var maxLagBytes: Int
    /// The skips within ``skipWindow`` a reader may take; one more disconnects it.
    public var maxSkips: Int

    /// Creates a policy.
    /// - Parameter readers: `readers.*`.
    public init(_ readers: Config.Readers) {
        maxLag = .milliseconds(readers.maxLagMilliseconds)
        maxLagBytes = readers.maxLagBytes.bytes
        maxSkips = readers.maxSkips
    }

    /// Decides on one reader.
    /// - Parameters:
    ///   - lag: How far behind it is.
    ///   - skips: When it was moved forward before.
    ///   - now: The current time.
    public func decide(lag: ReaderLag, skips: ReaderSkipHistory, now: ContinuousClock.Instant)
        -> ReaderLagDecision
    {
        guard lag.isBehindNewestKeyframe,
            lag.media > max(maxLag, lag.gop) || lag.bytes > max(maxLagBytes, lag.gopBytes)
        else { return .keepGoing }
        if skips.count(within: Self.skipWindow, before: now) >= maxSkips { return .disconnect(.tooManySkips) }
        return .skipToNewestKeyframe
    }
}
