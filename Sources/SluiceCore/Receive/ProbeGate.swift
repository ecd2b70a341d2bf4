import Dispatch
import Synchronization

/// Limits how many streams run libavformat's probe on a core at once (`srt.probe_concurrency`).
///
/// A probe that has its bytes at hand is pure CPU: it parses them and decodes the first frames
/// to learn the codecs' parameters. When hundreds of publishers start together (a restart, a
/// network coming back) and every thread probes at once, libsrt's receive thread gets a
/// thousandth of the cores, the UDP socket's buffer overflows and every stream, the live ones
/// too, loses packets. Measured at 1,000 x 100 kbit/s on 2 cores: 4,000 to 22,500 packets
/// dropped as too late without the gate, and 848 streams live 8 s in; with one slot, none
/// dropped and all 1,000 live by then.
///
/// A stream takes a slot only once it has bytes to work on and leaves it before it waits for
/// its publisher (see `SRTByteSource`), so a caller that connects and sends nothing, or
/// dribbles, keeps no one waiting. Streams take their turns in the order they asked, but a probe
/// that has begun goes ahead of those that have not: when hundreds start together, each of
/// them needs several turns (its bytes come at the publisher's pace), and taking the turns
/// round-robin across all of them made every stream go live as late as the last one.
public final class ProbeGate: Sendable {
    /// How many streams may probe at once.
    public let slots: Int
    private let state: Mutex<State>
    private let waitedNanoseconds = Atomic<Int>(0)

    private struct State {
        var free: Int
        var running = 0
        /// The probes that have begun and wait for their next turn, first come first: each
        /// sleeps on its own semaphore, which ``ProbeGate/leave()`` signals to hand it the slot.
        var resuming: [Waiter] = []
        /// The probes waiting for their first turn, served when no begun probe waits.
        var starting: [Waiter] = []

        var waiting: Int { resuming.count + starting.count }

        mutating func next() -> Waiter? {
            if !resuming.isEmpty { return resuming.removeFirst() }
            if !starting.isEmpty { return starting.removeFirst() }
            return nil
        }

        mutating func withdraw(_ waiter: Waiter) -> Bool {
            if let index = resuming.firstIndex(where: { $0 === waiter }) {
                resuming.remove(at: index)
                return true
            }
            if let index = starting.firstIndex(where: { $0 === waiter }) {
                starting.remove(at: index)
                return true
            }
            return false
        }
    }

    private final class Waiter: Sendable {
        let handed = DispatchSemaphore(value: 0)
    }

    /// How often a waiting stream looks whether it was cancelled: seldom enough that a thousand
    /// waiters cost little, often enough for a shutdown's 1.5 s.
    private static let cancellationCheck = DispatchTimeInterval.milliseconds(200)

    /// - Parameter slots: How many streams may probe at once; at least one.
    public init(slots: Int) {
        self.slots = max(slots, 1)
        state = Mutex(State(free: self.slots))
    }

    /// Streams holding a slot now.
    public var running: Int { state.withLock { $0.running } }
    /// Streams with bytes to probe, waiting for a slot.
    public var waiting: Int { state.withLock { $0.waiting } }
    /// How long streams have waited for a slot since start, added up.
    public var totalWait: Duration { .nanoseconds(waitedNanoseconds.load(ordering: .relaxed)) }

    /// Takes a slot, waiting behind the streams that asked first when all are taken. Blocks the
    /// calling thread: call it from a stream's own thread, never from Swift's cooperative pool.
    /// - Parameters:
    ///   - resuming: Whether the caller's probe has had a turn already: it goes ahead of the
    ///     probes that have not begun.
    ///   - cancelled: Looked at while waiting; once it is true the caller stops waiting (its
    ///     connection closed: a server shutting down must not wait for every turn).
    /// - Returns: How long the caller waited, which its probe deadline should not count; `nil`
    ///   if it was cancelled and holds no slot.
    public func enter(resuming: Bool = false, unless cancelled: () -> Bool) -> Duration? {
        let waiter = Waiter()
        let start = ContinuousClock.now
        let admitted = state.withLock { state in
            guard state.free > 0 else {
                if resuming {
                    state.resuming.append(waiter)
                } else {
                    state.starting.append(waiter)
                }
                return false
            }
            state.free -= 1
            state.running += 1
            return true
        }
        if admitted { return .zero }
        while waiter.handed.wait(timeout: .now() + Self.cancellationCheck) == .timedOut {
            guard cancelled() else { continue }
            let withdrawn = state.withLock { $0.withdraw(waiter) }
            if withdrawn { return nil }
            // The slot was handed over as the caller gave up: take it, and pass it on.
            waiter.handed.wait()
            leave()
            return nil
        }
        let waited = ContinuousClock.now - start
        waitedNanoseconds.add(waited.wholeNanoseconds, ordering: .relaxed)
        return waited
    }

    /// Gives back the slot taken by ``enter(resuming:unless:)``: to the begun probe that has
    /// waited longest, else to the new one that has, if any.
    public func leave() {
        let next = state.withLock { state -> Waiter? in
            precondition(state.running > 0, "a probe slot given back that was not taken")
            guard let next = state.next() else {
                state.running -= 1
                state.free += 1
                return nil
            }
            return next
        }
        next?.handed.signal()
    }
}
