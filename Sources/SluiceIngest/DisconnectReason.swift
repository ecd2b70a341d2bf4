/// Why a publisher's stream ended.
public enum DisconnectReason: Sendable, Equatable, CustomStringConvertible {
    /// The publisher closed the connection or it broke.
    case ended
    /// The publisher sent nothing for `srt.idle_timeout_ms`.
    case idleTimeout
    /// Another publisher took the name over (`srt.on_duplicate: "replace"`).
    case replaced
    /// The server is shutting down.
    case shutdown
    /// The input could not be demuxed.
    case demuxFailed(String)
    /// The demuxer found no video stream within `srt.probe_timeout_ms` (or the probe's byte
    /// bound): the bytes are not a stream Sluice can buffer.
    case notAStream
    /// It lost a race for its name: another publisher registered it first.
    case duplicate
    /// Memory stayed critical for `memory.shed_after_ms`, and this was the lowest-priority,
    /// largest stream.
    case shed
    /// An operator disconnected it through the admin API.
    case disconnectedByOperator
    /// The cluster did not let this node hold the name: another node claimed it first, or
    /// etcd did not answer the claim in time.
    case claimRefused
    /// This node lost the name after claiming it: it fenced itself, or another node holds it.
    case claimLost
    /// A relay of another node's stream had no reader for a while.
    case relayIdle

    public var description: String {
        switch self {
        case .ended: "ended"
        case .idleTimeout: "idle_timeout"
        case .replaced: "replaced"
        case .shutdown: "shutdown"
        case .demuxFailed(let why): "demux_failed: \(why)"
        case .duplicate: "duplicate"
        case .shed: "shed"
        case .disconnectedByOperator: "disconnected_by_operator"
        case .notAStream: "not_a_stream"
        case .claimRefused: "claim_refused"
        case .claimLost: "claim_lost"
        case .relayIdle: "relay_idle"
        }
    }

    /// The reason's label in metrics (`sluice_streams_ended_total{reason=...}`): the
    /// description without the detail a demux failure carries.
    public var label: String {
        if case .demuxFailed = self { return "demux_failed" }
        return description
    }
}
