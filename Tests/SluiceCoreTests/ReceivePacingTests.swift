import Testing

@testable import SluiceCore

@Suite struct ReceivePacingTests {
    private let start = ContinuousClock.now

    /// Messages `spacing` apart from `from` for `count` messages; returns when the last came.
    private func arrive(
        _ pacing: inout ReceivePacing, count: Int, spacing: Duration, from: Duration = .zero
    ) -> Duration {
        var at = from
        for _ in 0..<count {
            pacing.messageArrived(at: start + at)
            at += spacing
        }
        return at - spacing
    }

    @Test func aStreamIsBatchedOnceItsRateOverAWindowIsAboveOneMessagePerInterval() {
        var pacing = ReceivePacing(interval: .milliseconds(4), window: .seconds(1))
        // A 4 Mbit/s stream: a message every 2.6 ms. Nothing changes before a whole window.
        let last = arrive(&pacing, count: 300, spacing: .microseconds(2600))
        #expect(pacing.mode == .eventDriven, "\(last) is not yet a window")
        _ = arrive(&pacing, count: 100, spacing: .microseconds(2600), from: last + .microseconds(2600))
        #expect(pacing.mode == .batched)
    }

    @Test func keyframeBurstsDoNotBatchASlowStream() {
        var pacing = ReceivePacing(interval: .milliseconds(4), window: .seconds(1))
        // A 250 kbit/s stream whose keyframe, every second, is a burst of 25 messages 100 µs
        // apart; between bursts, a message every 42 ms.
        var at = Duration.zero
        for _ in 0..<5 {
            at = arrive(&pacing, count: 25, spacing: .microseconds(100), from: at) + .milliseconds(42)
            at = arrive(&pacing, count: 23, spacing: .milliseconds(42), from: at) + .milliseconds(42)
        }
        #expect(pacing.mode == .eventDriven)
    }

    @Test func aBatchedStreamWaitsOnLibsrtAgainAfterEnoughEmptyDrainsInARow() {
        var pacing = ReceivePacing(interval: .milliseconds(4), window: .milliseconds(100), quietAfter: 2)
        _ = arrive(&pacing, count: 60, spacing: .milliseconds(2))
        #expect(pacing.mode == .batched)
        pacing.drained(found: false)
        pacing.drained(found: true)
        pacing.drained(found: false)
        #expect(pacing.mode == .batched)
        pacing.drained(found: false)
        #expect(pacing.mode == .eventDriven)
        // The rate is measured afresh: one quick message does not batch it again.
        pacing.messageArrived(at: start + .seconds(5))
        pacing.messageArrived(at: start + .seconds(5) + .milliseconds(1))
        #expect(pacing.mode == .eventDriven)
    }

    @Test func aStreamSlowerThanTheIntervalIsNeverBatched() {
        var pacing = ReceivePacing()
        _ = arrive(&pacing, count: 1000, spacing: pacing.interval + .microseconds(10))
        #expect(pacing.mode == .eventDriven)
    }
}
