/// Maps frame timestamps onto one continuous buffer timeline, in microseconds.
///
/// Live encoders restart, splice and wrap their clocks. A jump larger than the thresholds
/// below is treated as a discontinuity: the timeline carries on from where it was instead of
/// leaping, so a broken clock can neither age out the whole buffer at once nor stop it from
/// ever ageing out.
struct BufferClock: Sendable {
    /// How far back a timestamp may step before it counts as a discontinuity. Audio and video
    /// are interleaved with up to about a second of skew in transport streams.
    static let backwardTolerance: Int64 = 3_000_000
    /// How far forward a timestamp may step before it counts as a discontinuity.
    static let forwardTolerance: Int64 = 10_000_000

    private var offset: Int64 = 0
    private(set) var latest: Int64?

    /// The buffer time of a frame with timestamp `timestamp` (or of the latest frame, when the
    /// frame has none).
    mutating func time(of timestamp: Int64?) -> Int64 {
        guard let timestamp else { return latest ?? 0 }
        var time = timestamp &+ offset
        if let latest {
            let step = time &- latest
            if step < -Self.backwardTolerance || step > Self.forwardTolerance {
                offset = latest &- timestamp
                time = latest
            }
            self.latest = max(latest, time)
        } else {
            latest = time
        }
        return time
    }
}
