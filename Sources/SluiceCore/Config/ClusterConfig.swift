/// The cluster's settings (`cluster.*`): where etcd is, and how this node is known to the
/// others. No endpoints means a single node, as without a `cluster` section.
public struct ClusterConfig: Sendable, Equatable {
    /// `cluster.etcd.endpoints`: the etcd members' client URLs (`http://host:port`).
    public var etcdEndpoints: [HTTPEndpoint] = []
    /// `cluster.node_id`: this node's name in the cluster; unset, the host name.
    public var nodeID: String?
    /// `cluster.advertise_srt`: the `host:port` other nodes reach this node's SRT listener at.
    public var advertiseSRT: HostPort?
    /// `cluster.advertise_http`: the `host:port` other nodes and redirected readers reach this
    /// node's HTTP port at.
    public var advertiseHTTP: HostPort?
    /// `cluster.lease_ttl_ms`: the etcd lease's time to live. A node that dies loses its
    /// names this long after its last renewal; one that cannot renew fences itself sooner.
    public var leaseTTLMilliseconds = 6000
    /// `cluster.prefix`: the etcd key prefix every key of this cluster is under.
    public var prefix = "/sluice/"

    /// Whether the node runs in a cluster: etcd endpoints are configured.
    public var isEnabled: Bool { !etcdEndpoints.isEmpty }

    /// The defaults: a single node.
    public init() {}
}
