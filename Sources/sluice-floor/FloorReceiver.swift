import SluiceSRT
import Synchronization

/// The floor's receiving side: every accepted connection in one ``SRTEpoll``, drained by one
/// thread with non-blocking receives, the bytes counted and dropped.
final class FloorReceiver: Sendable {
    /// What the drain thread received.
    struct Totals: Sendable {
        var bytes = 0
        var messages = 0
        /// How late each message was read after libsrt made it available.
        var delay = DeliveryDelay()
    }

    private let epoll: SRTEpoll
    private let isStopped = Atomic<Bool>(false)
    private let received = Mutex(Totals())

    init() throws(SRTError) {
        epoll = try SRTEpoll()
    }

    /// Whether ``stop()`` has been called.
    var isStopping: Bool { isStopped.load(ordering: .acquiring) }

    /// What ``drain()`` received; complete once it has returned.
    var totals: Totals { received.withLock { $0 } }

    /// Hands an accepted, non-blocking connection to the drain thread.
    func add(_ connection: SRTConnection) throws(SRTError) {
        try epoll.add(connection)
    }

    /// Makes ``drain()`` return within one wait.
    func stop() {
        isStopped.store(true, ordering: .releasing)
    }

    /// Waits for ready connections and reads each one empty, until ``stop()``.
    func drain() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: SRTConnection.maxMessageBytes, alignment: 1)
        defer { buffer.deallocate() }
        var totals = Totals()
        while !isStopping {
            // The timeout only bounds how long a stop waits; data wakes the wait at once.
            guard let ready = try? epoll.wait(timeoutMilliseconds: 100) else { break }
            for readiness in ready {
                drain(readiness.connection, into: buffer, totals: &totals)
            }
        }
        received.withLock { $0 = totals }
        epoll.release()
    }

    private func drain(
        _ connection: SRTConnection, into buffer: UnsafeMutableRawBufferPointer, totals: inout Totals
    ) {
        while true {
            switch connection.receive(into: buffer) {
            case .received(let count, let readyAt):
                totals.bytes += count
                totals.messages += 1
                totals.delay.record(readyAt: readyAt)
            case .nothingQueued:
                return
            case .closed:
                epoll.remove(connection)
                connection.close()
                return
            }
        }
    }
}
