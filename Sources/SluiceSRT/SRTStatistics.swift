import CSRT

/// A connection's receiver-side statistics from libsrt (`srt_bstats`), cumulative since it
/// connected.
public struct SRTStatistics: Sendable, Equatable, Codable {
    /// Smoothed round-trip time, in seconds.
    public var rttSeconds: Double
    /// Packets received.
    public var packetsReceived: Int64
    /// Packets detected as lost.
    public var packetsLost: Int64
    /// Retransmitted packets received.
    public var packetsRetransmitted: Int64
    /// Packets dropped because they came too late to play.
    public var packetsDropped: Int64
    /// The current receive rate, in bits per second.
    public var receiveRateBitsPerSecond: Double
    /// Media time waiting in libsrt's receive buffer, in milliseconds.
    public var receiveBufferMilliseconds: Int64
}

extension SRTConnection {
    /// The connection's statistics now, or `nil` once it is closed.
    public func statistics() -> SRTStatistics? {
        guard !closed else { return nil }
        var stats = SRT_TRACEBSTATS()
        guard srt_bstats(socket, &stats, 0) == 0 else { return nil }
        return SRTStatistics(
            rttSeconds: stats.msRTT / 1000, packetsReceived: stats.pktRecvTotal,
            packetsLost: Int64(stats.pktRcvLossTotal), packetsRetransmitted: Int64(stats.pktRcvRetrans),
            packetsDropped: Int64(stats.pktRcvDropTotal),
            receiveRateBitsPerSecond: stats.mbpsRecvRate * 1_000_000,
            receiveBufferMilliseconds: Int64(stats.msRcvBuf))
    }
}

/// A connection's sender-side statistics from libsrt, cumulative since it connected.
public struct SRTSenderStatistics: Sendable, Equatable, Codable {
    /// Data packets sent, retransmissions included.
    public var packetsSent: Int64
    /// Packets the receiver reported lost.
    public var packetsLost: Int64
    /// Packets sent again.
    public var packetsRetransmitted: Int64
    /// Packets dropped unsent because they were too late.
    public var packetsDropped: Int64

    /// Adds another connection's counts.
    public static func += (lhs: inout SRTSenderStatistics, rhs: SRTSenderStatistics) {
        lhs.packetsSent += rhs.packetsSent
        lhs.packetsLost += rhs.packetsLost
        lhs.packetsRetransmitted += rhs.packetsRetransmitted
        lhs.packetsDropped += rhs.packetsDropped
    }

    /// No packets.
    public static let zero = SRTSenderStatistics(
        packetsSent: 0, packetsLost: 0, packetsRetransmitted: 0, packetsDropped: 0)
}

extension SRTConnection {
    /// The sender-side statistics now, or `nil` once the connection is closed.
    public func senderStatistics() -> SRTSenderStatistics? {
        guard !closed else { return nil }
        var stats = SRT_TRACEBSTATS()
        guard srt_bstats(socket, &stats, 0) == 0 else { return nil }
        return SRTSenderStatistics(
            packetsSent: stats.pktSentTotal, packetsLost: Int64(stats.pktSndLossTotal),
            packetsRetransmitted: Int64(stats.pktRetransTotal), packetsDropped: Int64(stats.pktSndDropTotal))
    }
}
