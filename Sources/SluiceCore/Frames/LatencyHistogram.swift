import Synchronization

/// A histogram of short durations with fixed buckets, recorded from many threads. A frame's
/// record is a few additions under an uncontended lock; a leaf lock, nothing is taken under it.
public final class LatencyHistogram: Sendable {
    /// The upper bounds of the buckets, in seconds (Prometheus's `le`), ascending.
    public let bounds: [Double]
    private let state: Mutex<State>

    private struct State {
        var buckets: [Int]
        var count = 0
        var sumSeconds = 0.0
    }

    /// A snapshot of the histogram.
    public struct Counts: Sendable, Equatable {
        /// Observations at or below each bound (cumulative, as Prometheus expects).
        public var cumulative: [Int]
        /// All observations.
        public var count: Int
        /// Their sum, in seconds.
        public var sumSeconds: Double

        /// Creates counts.
        public init(cumulative: [Int], count: Int, sumSeconds: Double) {
            self.cumulative = cumulative
            self.count = count
            self.sumSeconds = sumSeconds
        }
    }

    /// Creates an empty histogram.
    /// - Parameter bounds: The buckets' upper bounds in seconds, ascending.
    public init(bounds: [Double]) {
        self.bounds = bounds
        state = Mutex(State(buckets: Array(repeating: 0, count: bounds.count)))
    }

    /// Records one duration.
    /// - Parameter duration: The duration observed.
    public func record(_ duration: Duration) {
        let seconds = duration.inSeconds
        let bucket = bounds.firstIndex { seconds <= $0 }
        state.withLock { state in
            if let bucket { state.buckets[bucket] += 1 }
            state.count += 1
            state.sumSeconds += seconds
        }
    }

    /// The counts now.
    public var counts: Counts {
        state.withLock { state in
            var running = 0
            let cumulative = state.buckets.map { count in
                running += count
                return running
            }
            return Counts(cumulative: cumulative, count: state.count, sumSeconds: state.sumSeconds)
        }
    }
}
