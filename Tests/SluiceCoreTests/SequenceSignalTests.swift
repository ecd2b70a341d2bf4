import SluiceCore
import Testing

@Suite struct SequenceSignalTests {
    @Test func aWakeBetweenTheMarkAndTheWaitIsNotLost() async {
        let signal = SequenceSignal()
        let mark = signal.mark
        // What a reader's cut does while the reader is between its checks and its wait.
        signal.wakeAll()
        await signal.wait(past: mark)
        #expect(signal.value == 0, "woken without the value moving")
    }

    @Test func waitingPastAMarkEndsWhenTheValueRises() async {
        let signal = SequenceSignal()
        let mark = signal.mark
        async let waited: Void = signal.wait(past: mark)
        signal.advance(to: 3)
        await waited
        #expect(signal.value == 3)
    }

    @Test func waitingPastTheCurrentMarkWaitsForTheNextEvent() async throws {
        let signal = SequenceSignal()
        signal.wakeAll()
        let mark = signal.mark
        let waiter = Task { await signal.wait(past: mark) }
        try await Task.sleep(for: .milliseconds(100))
        signal.end()
        await waiter.value
        #expect(signal.ended)
    }
}
