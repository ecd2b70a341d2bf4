/// What came of claiming a stream name in the directory.
public enum ClaimOutcome: Sendable, Hashable, CustomStringConvertible {
    /// This node holds the name.
    case claimed
    /// Another node holds the name.
    case heldElsewhere(node: String)
    /// The directory did not answer in time or cannot take claims now: the name may not be
    /// published here.
    case unavailable(String)

    /// The label in metrics (`sluice_cluster_claims_total{result=...}`).
    public var label: String {
        switch self {
        case .claimed: "claimed"
        case .heldElsewhere: "held_elsewhere"
        case .unavailable: "unavailable"
        }
    }

    public var description: String {
        switch self {
        case .claimed: "claimed"
        case .heldElsewhere(let node): "held_elsewhere: node \(node) holds the name"
        case .unavailable(let why): "unavailable: \(why)"
        }
    }
}
