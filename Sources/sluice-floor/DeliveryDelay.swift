import SluiceSRT

/// How late each message reached the drain thread after libsrt made it available (its play
/// time), the floor's side of Sluice's `sluice_frame_visible_latency_seconds`: what libsrt's
/// delivery thread, the wakeup and the machine's load cost before any receiver can see a byte.
struct DeliveryDelay: Sendable {
    /// 10 µs buckets up to 100 ms; later messages share the last bucket.
    private static let bucketMicroseconds: Int64 = 10
    private var buckets = [Int](repeating: 0, count: 10_001)
    private(set) var count = 0

    /// Records a message made available at `readyAt` and read now.
    mutating func record(readyAt: SRTInstant) {
        let late = max(SRTInstant.now.microseconds - readyAt.microseconds, 0)
        buckets[Int(min(late / Self.bucketMicroseconds, Int64(buckets.count - 1)))] += 1
        count += 1
    }

    /// The delay that `quantile` of the messages did not exceed, in milliseconds (to a bucket's
    /// upper edge); `nil` before any message.
    func milliseconds(atQuantile quantile: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = Int((Double(count) * quantile).rounded(.up))
        var seen = 0
        for (index, inBucket) in buckets.enumerated() {
            seen += inBucket
            if seen >= rank { return Double(Int64(index + 1) * Self.bucketMicroseconds) / 1000 }
        }
        return Double(Int64(buckets.count) * Self.bucketMicroseconds) / 1000
    }
}
