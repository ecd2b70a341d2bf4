import SluiceCore

/// Why a reader's output ended.
public enum ReaderEnd: Sendable, Equatable, CustomStringConvertible {
    /// The stream ended and the reader took all its output.
    case streamEnded
    /// A snapshot reader reached the live edge.
    case reachedLiveEdge
    /// The reader went away.
    case left
    /// The server disconnected it.
    case cut(ReaderCutReason)

    /// The label in logs and metrics (`sluice_reader_disconnects_total{reason=...}`).
    public var label: String {
        switch self {
        case .streamEnded: "stream_ended"
        case .reachedLiveEdge: "live_edge"
        case .left: "left"
        case .cut(let reason): reason.rawValue
        }
    }

    public var description: String { label }
}
