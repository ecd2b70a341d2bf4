import SluiceCore

/// A snapshot of this node's membership, for the admin API and metrics.
public struct ClusterStatus: Sendable {
    /// This node's id.
    public var nodeID: String
    /// Why the node takes no new publishers, or `nil` while it serves.
    public var unavailability: DirectoryUnavailability?
    /// The lease the node serves under, if any.
    public var leaseID: Int64?
    /// The lease's time to live.
    public var leaseTTL: Duration?
    /// How long the lease lives at least from now, by this node's clock; zero without one.
    public var leaseRemaining: Duration
    /// Whether etcd answered the node's last call.
    public var etcdReachable: Bool
    /// Lease renewals etcd did not answer since start.
    public var keepaliveFailures: Int
    /// Claims by result.
    public var claims: [String: Int]
    /// The nodes registered.
    public var nodes: [ClusterNode]
    /// Every claimed name and its owner.
    public var owners: [(name: StreamName, owner: ClusterView.Owner)]
    /// The names this node holds.
    public var held: [StreamName]
}

extension ClusterService {
    /// This node's membership now.
    public var status: ClusterStatus {
        let lease = lease
        return ClusterStatus(
            nodeID: nodeID, unavailability: unavailability(), leaseID: lease?.id, leaseTTL: lease?.ttl,
            leaseRemaining: lease?.remaining() ?? .zero, etcdReachable: isReachable,
            keepaliveFailures: keepaliveFailures, claims: claimResults.snapshot, nodes: view.nodes,
            owners: view.owners, held: heldNames)
    }
}
