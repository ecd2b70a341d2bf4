/// Which readers memory pressure moves forward, before it cuts any.
///
/// A reader behind the newest keyframe holds output the live edge no longer needs. At soft
/// pressure the reader furthest behind (in bytes) is moved to the newest keyframe at each
/// sweep, so the worst offender pays first and a reader just a little behind is left alone
/// while eviction may suffice; at hard every reader behind the newest keyframe is moved. At
/// critical, readers are cut instead (the delivery sweep does that before the controller
/// sheds a publisher). These moves are the server's doing, not the reader's lag, so they do
/// not count toward `readers.max_skips`.
public enum ReaderPressurePolicy {
    /// The readers to move to the newest keyframe.
    /// - Parameters:
    ///   - level: The memory pressure level now.
    ///   - lags: Each reader's id and lag.
    /// - Returns: The ids of the readers to move, most lagging first.
    public static func readersToSkip<ID: Hashable>(at level: PressureLevel, lags: [(id: ID, lag: ReaderLag)])
        -> [ID]
    {
        let behind = lags.filter { $0.lag.isBehindNewestKeyframe && $0.lag.bytes > 0 }
            .sorted { $0.lag.bytes > $1.lag.bytes }
        switch level {
        case .none, .critical: return []
        case .soft: return behind.prefix(1).map(\.id)
        case .hard: return behind.map(\.id)
        }
    }
}
