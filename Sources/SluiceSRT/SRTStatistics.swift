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
