import Foundation
import SluiceSRT
import Synchronization

/// The floor's sending side, for reader fan-out: one thread sends the same 1316-byte messages
/// of a file, paced at a constant bitrate and looping, to every accepted connection, with
/// non-blocking sends; what it spends per reader-second is what any SRT server on this machine
/// spends at least to send those bytes.
final class FloorSender: Sendable {
    /// What the send thread sent.
    struct Totals: Sendable {
        var bytes = 0
        var messages = 0
        /// Messages not sent because a connection's send buffer was full.
        var unsent = 0
    }

    static let messageBytes = 7 * 188

    private let bytes: [UInt8]
    private let byteRate: Double
    private let connections = Mutex<[SRTConnection]>([])
    private let isStopped = Atomic<Bool>(false)
    private let sent = Mutex(Totals())

    /// - Parameters:
    ///   - file: The bytes to send, whole 1316-byte messages of them.
    ///   - bitrate: The pace, in bits per second.
    init(file: [UInt8], bitrate: Double) {
        bytes = Array(file.prefix(file.count / Self.messageBytes * Self.messageBytes))
        byteRate = bitrate / 8
    }

    /// Whether ``stop()`` has been called.
    var isStopping: Bool { isStopped.load(ordering: .acquiring) }

    /// What ``send()`` sent; complete once it has returned.
    var totals: Totals { sent.withLock { $0 } }

    /// Adds an accepted connection; it gets the messages from the next one due.
    func add(_ connection: SRTConnection) throws(SRTError) {
        try connection.setNonBlockingSend()
        connections.withLock { $0.append(connection) }
    }

    /// Makes ``send()`` return within one message's time.
    func stop() {
        isStopped.store(true, ordering: .releasing)
    }

    /// Sends every message when it is due to every connection, until ``stop()``.
    func send() {
        var totals = Totals()
        let start = ContinuousClock.now
        var index = 0
        while !isStopping {
            let due = start + .seconds(Double(index * Self.messageBytes) / byteRate)
            let wait = due - .now
            if wait > .zero {
                Thread.sleep(
                    forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds)
                        * 1e-18)
            }
            let offset = index * Self.messageBytes % bytes.count
            let live = connections.withLock { $0 }
            bytes[offset..<(offset + Self.messageBytes)].withUnsafeBytes { message in
                for connection in live {
                    switch connection.trySend(message) {
                    case .sent:
                        totals.bytes += Self.messageBytes
                        totals.messages += 1
                    case .full: totals.unsent += 1
                    case .closed:
                        connections.withLock { $0.removeAll { $0 === connection } }
                        connection.close()
                    }
                }
            }
            index += 1
        }
        for connection in connections.withLock({ $0 }) { connection.close() }
        sent.withLock { $0 = totals }
    }
}
