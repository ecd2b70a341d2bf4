import Foundation
import Logging
import SluiceSystem
import Synchronization

/// Formats and writes log events on a thread of its own, so that logging never blocks the
/// thread that logs.
///
/// Refusals are logged in libsrt's handshake callback, on the receive thread every stream of a
/// listener shares. Written there, a flood of refused handshakes costs that thread a timestamp
/// format and a `write(2)` each, and a standard error that stops draining (a paused pager, a
/// stalled log collector) would stop it outright, and every stream with it. Here the logging
/// thread only queues; when the queue is full, events are dropped and counted, and the count is
/// logged once there is room again.
final class LogLineWriter: Sendable {
    /// One event as it was logged, formatted on the writing thread.
    struct Entry: Sendable {
        var time: Date
        var level: Logger.Level
        var message: String
        var fields: [String: String]
    }

    private struct State {
        var entries: [Entry] = []
        var dropped = 0
        /// Whether the writing thread is waiting for ``wake``.
        var idle = false
        /// Whether the writing thread is writing a batch it took.
        var writing = false
    }

    /// The writer for standard error.
    static let standardError = LogLineWriter(descriptor: 2, capacity: 10_000)

    private let descriptor: Int32
    private let capacity: Int
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - descriptor: Where lines go.
    ///   - capacity: The most events queued; past it, events are dropped and counted.
    init(descriptor: Int32, capacity: Int) {
        self.descriptor = descriptor
        self.capacity = capacity
        let thread = Thread(kernelName: "sluice-log") { [self] in run() }
        thread.start()
    }

    /// Queues an event; never blocks.
    func write(_ entry: Entry) {
        let signal = state.withLock { state -> Bool in
            guard state.entries.count < capacity else {
                state.dropped += 1
                return false
            }
            state.entries.append(entry)
            defer { state.idle = false }
            return state.idle
        }
        if signal { wake.signal() }
    }

    /// Waits until every event queued so far is written, or `timeout` passes: before the
    /// process exits.
    func drain(timeout: Duration = .seconds(2)) {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ !$0.entries.isEmpty || $0.writing }), ContinuousClock.now < deadline {
            usleep(1000)
        }
    }

    private func run() {
        while true {
            let (entries, dropped) = state.withLock { state -> ([Entry], Int) in
                defer {
                    state.entries.removeAll(keepingCapacity: true)
                    state.dropped = 0
                }
                state.idle = state.entries.isEmpty && state.dropped == 0
                state.writing = !state.idle
                return (state.entries, state.dropped)
            }
            if entries.isEmpty && dropped == 0 {
                wake.wait()
                continue
            }
            var text = ""
            for entry in entries {
                text += LogfmtLogHandler.line(
                    timestamp: entry.time.formatted(.iso8601), level: entry.level, message: entry.message,
                    fields: entry.fields)
            }
            if dropped > 0 {
                text += LogfmtLogHandler.line(
                    timestamp: Date().formatted(.iso8601), level: .warning,
                    message: "log events dropped: the log was not read fast enough",
                    fields: ["count": "\(dropped)"])
            }
            writeAll(text)
            state.withLock { $0.writing = false }
        }
    }

    private func writeAll(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    // A non-blocking descriptor (shared with whoever started us) that is full:
                    // wait until it drains rather than spin.
                    var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, -1)
                    continue
                }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
