/// How a stream's ingest thread waits for its next message once it has drained the queue.
///
/// Waiting in libsrt's blocking receive costs no CPU while a stream is quiet, but libsrt wakes
/// the thread once per message: its delivery thread signals the socket's condition at each
/// message's play time. A 4 Mbit/s stream sends a message every 2.6 ms, and those wakeups (a
/// futex wake on libsrt's side, a context switch on each) were most of what Sluice spent
/// beyond bare libsrt. So a stream whose messages have come more often than one per
/// ``interval`` over a whole ``window`` is read in batches instead: the thread sleeps
/// ``interval`` and drains whatever arrived, and libsrt's signal finds nobody waiting, which
/// costs it nothing. A poll that finds nothing means the stream slowed down: it goes back to
/// waiting on libsrt.
///
/// A frame whose last message arrives during the sleep waits at most ``interval`` longer: the
/// interval is the price in latency, paid only by busy streams. The rate is taken over a whole
/// window, not over the last few waits, because encoders send a keyframe as a burst of
/// messages: a slow stream's keyframes must not make it pay that price.
public struct ReceivePacing: Sendable, Equatable {
    /// How the thread waits for the next message.
    public enum Mode: Sendable, Equatable {
        /// In libsrt's blocking receive, woken by each message.
        case eventDriven
        /// Sleeping ``ReceivePacing/interval``, then draining what arrived.
        case batched
    }

    /// The sleep between two drains of a busy stream.
    public let interval: Duration
    /// How long the message rate is measured over before a stream is batched.
    public let window: Duration
    /// How many empty drains in a row return a batched stream to waiting on libsrt.
    public let quietAfter: Int

    /// The current way of waiting.
    public private(set) var mode = Mode.eventDriven
    private var windowStart: ContinuousClock.Instant?
    private var messagesInWindow = 0
    private var emptyDrains = 0

    /// - Parameters:
    ///   - interval: The sleep between two drains of a busy stream.
    ///   - window: How long the message rate is measured over.
    ///   - quietAfter: Empty drains in a row that make a batched stream event-driven again.
    public init(interval: Duration = .milliseconds(4), window: Duration = .seconds(1), quietAfter: Int = 2) {
        self.interval = interval
        self.window = window
        self.quietAfter = max(quietAfter, 1)
    }

    /// A message was received at `now`. Only messages received while event-driven count
    /// toward the rate; a batched stream leaves batching through ``drained(found:)``.
    /// - Parameter now: When the message was received.
    public mutating func messageArrived(at now: ContinuousClock.Instant) {
        guard mode == .eventDriven else { return }
        guard let start = windowStart else {
            windowStart = now
            return
        }
        messagesInWindow += 1
        let elapsed = now - start
        guard elapsed >= window else { return }
        if elapsed / messagesInWindow < interval {
            mode = .batched
            emptyDrains = 0
        }
        windowStart = now
        messagesInWindow = 0
    }

    /// A drain after the sleep ran.
    /// - Parameter found: Whether it found a message.
    public mutating func drained(found: Bool) {
        guard mode == .batched else { return }
        emptyDrains = found ? 0 : emptyDrains + 1
        if emptyDrains >= quietAfter {
            mode = .eventDriven
            windowStart = nil
            messagesInWindow = 0
        }
    }
}
