import Foundation
import Synchronization
import Testing

@testable import SluiceCore

@Suite struct ProbeGateTests {
    /// What the waiters of one test saw: the order they got their slots in, and how many held
    /// one at once.
    private final class Tally: Sendable {
        let order = Mutex<[String]>([])
        let inside = Atomic<Int>(0)
        let most = Atomic<Int>(0)
    }

    /// Starts a thread that takes a slot, notes the order it got it in, holds it for `hold` and
    /// gives it back.
    private func startWaiter(
        _ gate: ProbeGate, name: String, tally: Tally, resuming: Bool = false, hold: TimeInterval = 0.005
    ) {
        Thread.detachNewThread {
            guard gate.enter(resuming: resuming, unless: { false }) != nil else { return }
            tally.most.max(tally.inside.add(1, ordering: .relaxed).newValue, ordering: .relaxed)
            tally.order.withLock { $0.append(name) }
            Thread.sleep(forTimeInterval: hold)
            tally.inside.subtract(1, ordering: .relaxed)
            gate.leave()
        }
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func streamsTakeTheirTurnsInTheOrderTheyAsked() async throws {
        let gate = ProbeGate(slots: 1)
        let tally = Tally()
        #expect(gate.enter(unless: { false }) == .zero)
        let names = (0..<6).map { "s\($0)" }
        for (index, name) in names.enumerated() {
            startWaiter(gate, name: name, tally: tally)
            try await waitUntil { gate.waiting == index + 1 }
        }
        try await Task.sleep(for: .milliseconds(20))
        #expect(tally.order.withLock { $0 }.isEmpty)
        gate.leave()
        try await waitUntil { tally.order.withLock { $0.count } == 6 && gate.running == 0 }
        #expect(tally.order.withLock { $0 } == names)
        #expect(gate.waiting == 0)
        // Every waiter waited at least the 20 ms the slot was held.
        #expect(gate.totalWait >= .milliseconds(6 * 20))
    }

    @Test func aProbeThatHasBegunGoesAheadOfTheNewOnes() async throws {
        let gate = ProbeGate(slots: 1)
        let tally = Tally()
        #expect(gate.enter(unless: { false }) == .zero)
        let arrivals = [("new0", false), ("begun0", true), ("new1", false), ("begun1", true)]
        for (index, (name, resuming)) in arrivals.enumerated() {
            startWaiter(gate, name: name, tally: tally, resuming: resuming)
            try await waitUntil { gate.waiting == index + 1 }
        }
        gate.leave()
        try await waitUntil { tally.order.withLock { $0.count } == 4 && gate.running == 0 }
        #expect(tally.order.withLock { $0 } == ["begun0", "begun1", "new0", "new1"])
    }

    @Test func noMoreStreamsThanTheSlotsProbeAtOnce() async throws {
        let gate = ProbeGate(slots: 2)
        let tally = Tally()
        #expect(gate.enter(unless: { false }) == .zero)
        #expect(gate.enter(unless: { false }) == .zero)
        #expect(gate.running == 2)
        for index in 0..<6 {
            startWaiter(gate, name: "s\(index)", tally: tally, hold: 0.01)
        }
        try await waitUntil { gate.waiting == 6 }
        gate.leave()
        gate.leave()
        try await waitUntil { tally.order.withLock { $0.count } == 6 && gate.running == 0 }
        #expect(tally.most.load(ordering: .relaxed) <= 2)
        #expect(gate.waiting == 0)
    }

    @Test func aWaiterCancelledWhileQueuedLeavesTheQueueAndHoldsNothing() async throws {
        let gate = ProbeGate(slots: 1)
        #expect(gate.enter(unless: { false }) == .zero)
        let cancelled = Atomic<Bool>(false)
        let outcome = Mutex<Duration??>(nil)
        Thread.detachNewThread {
            let waited = gate.enter(unless: { cancelled.load(ordering: .relaxed) })
            outcome.withLock { $0 = .some(waited) }
        }
        try await waitUntil { gate.waiting == 1 }
        cancelled.store(true, ordering: .relaxed)
        try await waitUntil { outcome.withLock { $0 } != nil }
        #expect(outcome.withLock { $0 } == .some(nil))
        #expect(gate.waiting == 0)
        #expect(gate.running == 1)
        gate.leave()
        #expect(gate.running == 0)
        // The slot it never took is free for the next stream.
        #expect(gate.enter(unless: { false }) == .zero)
        gate.leave()
    }

    @Test func aWaiterCancelledAsTheSlotIsHandedToItPassesTheSlotOn() {
        let gate = ProbeGate(slots: 1)
        #expect(gate.enter(unless: { false }) == .zero)
        // The holder leaves, handing the slot to the only waiter, just as that waiter gives up.
        let outcome = gate.enter(unless: {
            gate.leave()
            return true
        })
        #expect(outcome == nil)
        #expect(gate.running == 0)
        #expect(gate.waiting == 0)
        #expect(gate.enter(unless: { false }) == .zero)
        gate.leave()
    }

    @Test func aWaiterLearnsHowLongItWaited() async throws {
        let gate = ProbeGate(slots: 1)
        #expect(gate.enter(unless: { false }) == .zero)
        let waited = Mutex<Duration?>(nil)
        Thread.detachNewThread {
            let duration = gate.enter(unless: { false })
            waited.withLock { $0 = duration }
            gate.leave()
        }
        try await waitUntil { gate.waiting == 1 }
        try await Task.sleep(for: .milliseconds(50))
        gate.leave()
        try await waitUntil { waited.withLock { $0 } != nil }
        let duration = try #require(waited.withLock { $0 })
        #expect(duration >= .milliseconds(50))
        #expect(duration - gate.totalWait < .microseconds(1))
        try await waitUntil { gate.running == 0 }
    }

    @Test func aGateHasAtLeastOneSlot() {
        #expect(ProbeGate(slots: 0).slots == 1)
        #expect(Config.SRT().probeConcurrency.resolved(cores: 2) == 1)
        #expect(Config.SRT().probeConcurrency.resolved(cores: 16) == 8)
    }
}
