import SluiceCore
import Synchronization

/// Delivery's running totals since start, for `/metrics`.
public final class DeliveryStatistics: Sendable {
    private let totals = Mutex(Totals())

    /// Time from a reader's acceptance to its first keyframe byte handed to its transport.
    public let firstKeyframe = LatencyHistogram(bounds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5])

    /// The totals at one moment.
    public struct Totals: Sendable {
        /// Bytes handed to readers' transports, by protocol.
        public var bytesSent: [ReaderProtocol: Int] = [:]
        /// Readers accepted, by protocol.
        public var readersStarted: [ReaderProtocol: Int] = [:]
        /// Readers moved forward to the newest keyframe.
        public var skips = 0
        /// Readers that ended, by ``ReaderEnd/label``.
        public var ends: [String: Int] = [:]
        /// Readers refused, by ``ReaderRefusal`` raw value or `not_found`/`unauthorized`.
        public var refusals: [String: Int] = [:]
    }

    /// The totals now.
    public var snapshot: Totals { totals.withLock { $0 } }

    func sent(_ bytes: Int, by protocolName: ReaderProtocol) {
        totals.withLock { $0.bytesSent[protocolName, default: 0] += bytes }
    }

    func started(_ protocolName: ReaderProtocol) {
        totals.withLock { $0.readersStarted[protocolName, default: 0] += 1 }
    }

    func skipped() { totals.withLock { $0.skips += 1 } }

    func ended(_ end: ReaderEnd) { totals.withLock { $0.ends[end.label, default: 0] += 1 } }

    /// Counts a reader refused outside the SRT handshake (which counts its own).
    /// - Parameter reason: The reason label.
    public func refused(_ reason: String) { totals.withLock { $0.refusals[reason, default: 0] += 1 } }

}
