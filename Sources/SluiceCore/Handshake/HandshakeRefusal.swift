/// Why a caller is refused in the SRT handshake, decided in the core and mapped to an SRT
/// reject code by the transport.
public enum HandshakeRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server is shutting down (SRT 1503).
    case shuttingDown
    /// The stream id is malformed or names an invalid stream (SRT 1400).
    case badRequest(StreamIDError)
    /// The caller asks for a mode Sluice does not serve (SRT 1405).
    case badMode(StreamMode)
    /// The caller asks for a content type other than `stream` (SRT 1415).
    case unsupportedMedia(String)
    /// The name is already being published and duplicates are refused (SRT 1409).
    case conflict(StreamName)
    /// One more stream does not fit: stream count or memory (SRT 1402).
    case capacity(AdmissionRefusal)
    /// libsrt refused the caller's encryption after the policy let it through (libsrt's own
    /// `BADSECRET` or `UNSECURE`).
    case encryption(EncryptionRefusal)
    /// A reader names a stream that is not live (SRT 1404).
    case notFound(StreamName)
    /// One more reader does not fit: reader limits or memory (SRT 1402).
    case readerCapacity(ReaderRefusal)
    /// Another node of the cluster holds the name (SRT 1409, like a local duplicate).
    case heldElsewhere(StreamName, node: String)
    /// The cluster's directory cannot take a claim now: etcd unreachable, without a quorum or
    /// a leader, or this node fenced (SRT 1503).
    case clusterUnavailable(DirectoryUnavailability)

    /// The reason's label in logs and metrics (`sluice_streams_rejected_total{reason=...}`).
    public var label: String {
        switch self {
        case .shuttingDown: "shutting_down"
        case .badRequest: "bad_request"
        case .badMode: "bad_mode"
        case .unsupportedMedia: "unsupported_media"
        case .conflict: "conflict"
        case .capacity(let refusal): refusal.rawValue
        case .encryption(let refusal): refusal.rawValue
        case .notFound: "not_found"
        case .readerCapacity(let refusal): refusal.rawValue
        case .heldElsewhere: "held_elsewhere"
        case .clusterUnavailable: "cluster_unavailable"
        }
    }

    /// The explanation that goes into the `refused` log line and the readiness probe.
    public var description: String {
        switch self {
        case .shuttingDown: "the server is shutting down"
        case .badRequest(let error): error.description
        case .badMode(let mode): "mode '\(mode.rawValue)' is not supported; only publish and request are"
        case .unsupportedMedia(let type): "type '\(type)' is not supported; only stream is"
        case .conflict(let name): "'\(name)' is already being published"
        case .capacity(.maxStreams): "max_streams: srt.max_streams streams are live"
        case .capacity(.memoryPressure):
            "memory_pressure: memory is at or above memory.refuse_new_streams_at, or not yet back below soft"
        case .capacity(.projectedMemory):
            "projected_memory: one more stream would not fit beside the live ones under soft"
        case .capacity(.receiveCapacity):
            "receive_capacity: one more stream would push the busiest SRT receive thread past srt.receive_saturation"
        case .encryption(let refusal): refusal.description
        case .notFound(let name): "'\(name)' is not live"
        case .readerCapacity(let refusal): refusal.explanation
        case .heldElsewhere(let name, let node): "'\(name)' is being published on node \(node)"
        case .clusterUnavailable(let why): "cluster_unavailable: \(why)"
        }
    }
}
