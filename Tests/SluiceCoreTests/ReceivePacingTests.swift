import Testing

@testable import SluiceCore

@Suite struct ReceivePacingTests {
    @Test func aStreamIsBatchedOnlyAfterEnoughShortWaitsInARow() {
        var pacing = ReceivePacing(interval: .milliseconds(3), busyAfter: 3, quietAfter: 2)
        pacing.messageArrived(after: .milliseconds(1))
        pacing.messageArrived(after: .milliseconds(2))
        // One long wait starts the count again.
        pacing.messageArrived(after: .milliseconds(40))
        pacing.messageArrived(after: .milliseconds(1))
        pacing.messageArrived(after: .milliseconds(1))
        #expect(pacing.mode == .eventDriven)
        pacing.messageArrived(after: .microseconds(500))
        #expect(pacing.mode == .batched)
    }

    @Test func aBatchedStreamWaitsOnLibsrtAgainAfterEnoughEmptyDrainsInARow() {
        var pacing = ReceivePacing(interval: .milliseconds(3), busyAfter: 1, quietAfter: 2)
        pacing.messageArrived(after: .milliseconds(1))
        #expect(pacing.mode == .batched)
        pacing.drained(found: false)
        pacing.drained(found: true)
        pacing.drained(found: false)
        #expect(pacing.mode == .batched)
        pacing.drained(found: false)
        #expect(pacing.mode == .eventDriven)
        // Back to counting from zero.
        pacing.messageArrived(after: .milliseconds(5))
        #expect(pacing.mode == .eventDriven)
    }

    @Test func aStreamSlowerThanTheIntervalIsNeverBatched() {
        var pacing = ReceivePacing()
        for _ in 0..<1000 { pacing.messageArrived(after: pacing.interval + .microseconds(1)) }
        #expect(pacing.mode == .eventDriven)
    }
}
