import Testing

@testable import SluiceCore

@Suite struct ForwardBackoffTests {
    @Test func waitsDoubleFromOneSecondToThirty() {
        var backoff = ForwardBackoff()
        let waits = (0..<8).map { _ in backoff.delay(afterConnectionOf: .zero) }
        #expect(waits == [1, 2, 4, 8, 16, 30, 30, 30].map { Duration.seconds($0) })
    }

    @Test func aConnectionThatLastedStartsOverAndAShortOneCountsAsAFailure() {
        var backoff = ForwardBackoff()
        for _ in 0..<4 { _ = backoff.delay(afterConnectionOf: .zero) }
        #expect(backoff.delay(afterConnectionOf: .seconds(29)) == .seconds(16))
        #expect(backoff.delay(afterConnectionOf: .seconds(30)) == .seconds(1))
        #expect(backoff.delay(afterConnectionOf: .seconds(5)) == .seconds(2))
        #expect(backoff.delay(afterConnectionOf: .seconds(600)) == .seconds(1))
    }
}
