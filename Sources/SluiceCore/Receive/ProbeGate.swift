import Dispatch
import Synchronization

/// Limits how many streams run libavformat's probe on a core at once (`srt.probe_concurrency`).
///
/// A probe that has its bytes at hand is pure CPU: it parses them and decodes the first frames
/// to learn the codecs' parameters. When hundreds of publishers start together (a restart, a
/// network coming back) and every thread probes at once, libsrt's receive thread gets a
/// thousandth of the cores, the UDP socket's buffer overflows and every stream, the live ones
/// too, loses packets. Measured at 1,000 x 100 kbit/s on 2 cores: 4,000 to 22,500 packets
/// dropped as too late without the gate, none with one slot, and the last stream live no later.
///
/// Streams take their turns in the order they asked. A stream takes a slot only once it has
/// bytes to work on and leaves it before it waits for its publisher (see `SRTByteSource`), so
/// a caller that connects and sends nothing, or dribbles, keeps no one waiting.
public final class ProbeGate: Sendable {
    /// How many streams may probe at once.
    public let slots: Int
    private let state: Mutex<State>
    private let waitedNanoseconds = Atomic<Int>(0)

    private struct State {
        var free: Int
        var running = 0
        /// The streams waiting for a slot, first come first: each sleeps on its own semaphore,
        /// which ``ProbeGate/leave()`` signals to hand it the slot.
        var queue: [Waiter] = []
    }

    private final class Waiter: Sendable {
        let handed = DispatchSemaphore(value: 0)
    }

    /// How often a waiting stream looks whether it was cancelled.
    private static let cancellationCheck = DispatchTimeInterval.milliseconds(50)

    /// - Parameter slots: How many streams may probe at once; at least one.
    public init(slots: Int) {
        self.slots = max(slots, 1)
        state = Mutex(State(free: self.slots))
    }

    /// Streams probing now.
    public var running: Int { state.withLock { $0.running } }
    /// Streams with bytes to probe, waiting for a slot.
    public var waiting: Int { state.withLock { $0.queue.count } }
    /// How long streams have waited for a slot since start, added up.
    public var totalWait: Duration { .nanoseconds(waitedNanoseconds.load(ordering: .relaxed)) }

    /// Takes a slot, waiting behind the streams that asked first when all are taken. Blocks the
    /// calling thread: call it from a stream's own thread, never from Swift's cooperative pool.
    /// - Parameter cancelled: Looked at while waiting; once it is true the caller stops waiting
    ///   (its connection closed: a server shutting down must not wait for every turn).
    /// - Returns: How long the caller waited, which its probe deadline should not count; `nil`
    ///   if it was cancelled and holds no slot.
    public func enter(unless cancelled: () -> Bool) -> Duration? {
        let waiter = Waiter()
        let admitted = state.withLock { state in
            guard state.free > 0 else {
                state.queue.append(waiter)
                return false
            }
            state.free -= 1
            state.running += 1
            return true
        }
        if admitted { return .zero }
        let start = ContinuousClock.now
        while waiter.handed.wait(timeout: .now() + Self.cancellationCheck) == .timedOut {
            guard cancelled() else { continue }
            let withdrawn = state.withLock { state in
                guard let index = state.queue.firstIndex(where: { $0 === waiter }) else { return false }
                state.queue.remove(at: index)
                return true
            }
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

    /// Gives back the slot taken by ``enter(unless:)``: to the stream that has waited longest,
    /// if any.
    public func leave() {
        let next = state.withLock { state -> Waiter? in
            guard !state.queue.isEmpty else {
                state.running -= 1
                state.free += 1
                return nil
            }
            return state.queue.removeFirst()
        }
        next?.handed.signal()
    }
}
