/// How a stream's ingest thread waits for its next message once it has drained the queue.
///
/// Waiting in libsrt's blocking receive costs no CPU while a stream is quiet, but libsrt wakes
/// the thread once per message: its delivery thread signals the socket's condition at each
/// message's play time. A 4 Mbit/s stream sends a message every 2.6 ms, and those wakeups (a
/// futex wake on libsrt's side, a context switch on each) were most of what Sluice spent
/// beyond bare libsrt. So a stream whose messages keep arriving sooner than ``interval``
/// after the queue went empty is read in batches instead: the thread sleeps ``interval`` and
/// drains whatever arrived, and libsrt's signal finds nobody waiting, which costs it nothing.
/// A poll that finds nothing means the stream slowed down: it goes back to waiting on libsrt.
///
/// A frame whose last message arrives during the sleep waits at most ``interval`` longer: the
/// interval is the price in latency, paid only by busy streams.
public struct ReceivePacing: Sendable, Equatable {
    /// How the thread waits for the next message.
    public enum Mode: Sendable, Equatable {
        /// In libsrt's blocking receive, woken by each message.
        case eventDriven
        /// Sleeping ``ReceivePacing/interval``, then draining what arrived.
        case batched
    }

    /// A receive that returns sooner than this found its message already queued: it did not
    /// wait, and says nothing of how often messages come.
    public static let alreadyQueued = Duration.microseconds(100)

    /// The sleep between two drains of a busy stream.
    public let interval: Duration
    /// How many waits in a row must end within ``interval`` before the stream is batched.
    public let busyAfter: Int
    /// How many empty drains in a row return a batched stream to waiting on libsrt.
    public let quietAfter: Int

    /// The current way of waiting.
    public private(set) var mode = Mode.eventDriven
    private var streak = 0

    /// - Parameters:
    ///   - interval: The sleep between two drains of a busy stream.
    ///   - busyAfter: Short waits in a row that make a stream busy.
    ///   - quietAfter: Empty drains in a row that make it quiet again.
    public init(interval: Duration = .milliseconds(4), busyAfter: Int = 4, quietAfter: Int = 2) {
        self.interval = interval
        self.busyAfter = max(busyAfter, 1)
        self.quietAfter = max(quietAfter, 1)
    }

    /// A blocking wait ended with a message after `waited`.
    /// - Parameter waited: How long the receive took.
    public mutating func messageArrived(after waited: Duration) {
        guard mode == .eventDriven, waited >= Self.alreadyQueued else { return }
        streak = waited < interval ? streak + 1 : 0
        if streak >= busyAfter {
            mode = .batched
            streak = 0
        }
    }

    /// A drain after the sleep ran.
    /// - Parameter found: Whether it found a message.
    public mutating func drained(found: Bool) {
        guard mode == .batched else { return }
        streak = found ? 0 : streak + 1
        if streak >= quietAfter {
            mode = .eventDriven
            streak = 0
        }
    }
}
