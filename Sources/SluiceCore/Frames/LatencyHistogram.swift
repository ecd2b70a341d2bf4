import Synchronization

/// A histogram of short durations with fixed buckets, recorded from many threads.
///
/// Every stream's ingest thread records each frame here, so a record takes no lock: with
/// hundreds of threads on a few cores, a lock whose holder is preempted leaves the others
/// spinning (a profile of 200 streams found a quarter of the process's CPU in one such lock).
/// Each bucket is a counter of its own; the count is their total, so a snapshot taken during
/// records may lag by a few observations but its count always matches its buckets.
public final class LatencyHistogram: Sendable {
    /// The upper bounds of the buckets, in seconds (Prometheus's `le`), ascending.
    public let bounds: [Double]
    /// One counter per bound, then one for the observations above the last.
    private let buckets: [Counter]
    private let sumNanoseconds = Atomic<Int>(0)

    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
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
        buckets = (0...bounds.count).map { _ in Counter() }
    }

    /// Records one duration.
    /// - Parameter duration: The duration observed.
    public func record(_ duration: Duration) {
        let seconds = duration.inSeconds
        let bucket = bounds.firstIndex { seconds <= $0 } ?? bounds.count
        buckets[bucket].value.add(1, ordering: .relaxed)
        sumNanoseconds.add(Int(seconds * 1e9), ordering: .relaxed)
    }

    /// The counts now.
    public var counts: Counts {
        var running = 0
        let cumulative = buckets.map { bucket in
            running += bucket.value.load(ordering: .relaxed)
            return running
        }
        return Counts(
            cumulative: Array(cumulative.dropLast()), count: running,
            sumSeconds: Double(sumNanoseconds.load(ordering: .relaxed)) / 1e9)
    }
}
