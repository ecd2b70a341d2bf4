/// Why a node's stream directory cannot take new claims now.
public enum DirectoryUnavailability: Sendable, Hashable, CustomStringConvertible {
    /// The node has not yet joined the cluster: etcd has not answered since it started.
    case joining
    /// etcd did not answer the last lease renewal.
    case unreachable
    /// Most of etcd's voting members are down, so etcd has no quorum anywhere: the node keeps
    /// its live streams (nobody can take their names) and takes new ones when the quorum returns.
    case noQuorum
    /// etcd's members are electing a leader (none of them leads, and none is out of reach):
    /// the node keeps its live streams, as without a quorum, and takes new ones once a leader
    /// answers.
    case noLeader
    /// The node has not renewed its lease for the TTL less a margin, so it may already have
    /// expired: the node stopped serving until it rejoins under a new lease.
    case fenced

    /// The label in logs and metrics.
    public var label: String {
        switch self {
        case .joining: "joining"
        case .unreachable: "etcd_unreachable"
        case .noQuorum: "etcd_no_quorum"
        case .noLeader: "etcd_no_leader"
        case .fenced: "fenced"
        }
    }

    public var description: String {
        switch self {
        case .joining: "joining: the node has not yet reached etcd"
        case .unreachable: "etcd_unreachable: etcd did not answer the last lease renewal"
        case .noQuorum: "etcd_no_quorum: most etcd members are down; live streams go on"
        case .noLeader: "etcd_no_leader: etcd is electing a leader; live streams go on"
        case .fenced: "fenced: the node's lease was not renewed in time; it rejoins when etcd answers"
        }
    }
}
