import Synchronization

/// Wakes tasks waiting for a sequence to pass a number: how readers wait for new frames or new
/// output without polling. The producer advances it after each append; it ends once, when the
/// producer will append nothing more.
public final class SequenceSignal: Sendable {
    /// A point in the signal's history, taken before looking at what a waiter waits for:
    /// waiting past it returns at once if anything happened since, so no wake-up is lost in
    /// between.
    public struct Mark: Sendable, Equatable {
        /// The value then.
        public let value: UInt64
        /// How many times ``SequenceSignal/wakeAll()`` had been called.
        let wakes: UInt64
    }

    private struct State {
        var value: UInt64 = 0
        var wakes: UInt64 = 0
        var ended = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a signal at zero.
    public init() {}

    /// The latest value the producer announced.
    public var value: UInt64 { state.withLock { $0.value } }

    /// The signal now, to wait past with ``wait(past:)``.
    public var mark: Mark { state.withLock { Mark(value: $0.value, wakes: $0.wakes) } }

    /// Whether the producer has ended.
    public var ended: Bool { state.withLock { $0.ended } }

    /// Announces that the sequence reached `value`, waking every waiter.
    /// - Parameter value: The new value; a lower one than announced before is ignored.
    public func advance(to value: UInt64) {
        resume { state in
            guard value > state.value else { return false }
            state.value = value
            return true
        }
    }

    /// Announces that nothing more will come, waking every waiter for good.
    public func end() {
        resume { state in
            state.ended = true
            return true
        }
    }

    /// Wakes every waiter without a change, so that each looks again at what it waits for
    /// (a reader that was cut, for instance).
    public func wakeAll() {
        resume { state in
            state.wakes += 1
            return true
        }
    }

    /// Waits until the value is above `value`, the producer ends, ``wakeAll()`` is called or
    /// the task is cancelled. Callers look again at what they wait for when it returns.
    /// - Parameter value: The value already seen.
    public func wait(beyond value: UInt64) async {
        await wait { $0.value > value }
    }

    /// Waits until anything happened since `mark`: the value rose, ``wakeAll()`` was called, the
    /// producer ended, or the task is cancelled.
    /// - Parameter mark: The signal as it was before the caller looked at what it waits for.
    public func wait(past mark: Mark) async {
        await wait { $0.value > mark.value || $0.wakes != mark.wakes }
    }

    private func wait(until happened: @escaping (State) -> Bool) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if happened(state) || state.ended || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    private func resume(_ change: (inout State) -> Bool) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard change(&state) else { return [] }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for continuation in woken { continuation.resume() }
    }
}
