import Hummingbird
import SluiceCluster
import SluiceCore

/// `GET /api/cluster`.
struct ClusterReport: ResponseEncodable {
    struct Lease: Codable {
        var id: String
        var ttlSeconds: Double
        var remainingSeconds: Double
    }

    struct Node: Codable {
        var id: String
        var advertiseSrt: String?
        var advertiseHttp: String?
    }

    struct Relay: Codable {
        var stream: String
        var node: String
    }

    struct Owner: Codable {
        var stream: String
        var node: String
        var revision: Int64
    }

    /// Whether the node runs in a cluster (`cluster.etcd.endpoints` is set).
    var enabled: Bool
    var nodeId: String?
    /// `serving`, or why not: `joining`, `etcd_unreachable`, `etcd_no_quorum`,
    /// `etcd_no_leader`, `fenced`.
    var state: String
    var reason: String?
    var etcdReachable: Bool
    var lease: Lease?
    var keepaliveFailures: Int
    var claims: [String: Int]
    var nodes: [Node]
    var owners: [Owner]
    /// The streams this node holds.
    var held: [String]
    /// The streams relayed from their owners to readers here.
    var relays: [Relay]

    /// The report of a single node: no cluster.
    static let singleNode = ClusterReport(
        enabled: false, nodeId: nil, state: "single_node", reason: nil, etcdReachable: false, lease: nil,
        keepaliveFailures: 0, claims: [:], nodes: [], owners: [], held: [], relays: [])

    init(
        enabled: Bool, nodeId: String?, state: String, reason: String?, etcdReachable: Bool, lease: Lease?,
        keepaliveFailures: Int, claims: [String: Int], nodes: [Node], owners: [Owner], held: [String],
        relays: [Relay]
    ) {
        self.enabled = enabled
        self.nodeId = nodeId
        self.state = state
        self.reason = reason
        self.etcdReachable = etcdReachable
        self.lease = lease
        self.keepaliveFailures = keepaliveFailures
        self.claims = claims
        self.nodes = nodes
        self.owners = owners
        self.held = held
        self.relays = relays
    }

    /// The report of a cluster member.
    /// - Parameters:
    ///   - status: Its membership now.
    ///   - relays: The streams it relays, with the node each comes from.
    init(_ status: ClusterStatus, relays: [(name: StreamName, node: String)]) {
        self.init(
            enabled: true, nodeId: status.nodeID, state: status.unavailability?.label ?? "serving",
            reason: status.unavailability?.description, etcdReachable: status.etcdReachable,
            lease: status.leaseID.map {
                Lease(
                    id: String($0), ttlSeconds: status.leaseTTL?.inSeconds ?? 0,
                    remainingSeconds: status.leaseRemaining.inSeconds)
            },
            keepaliveFailures: status.keepaliveFailures, claims: status.claims,
            nodes: status.nodes.map {
                Node(id: $0.id, advertiseSrt: $0.advertiseSRT, advertiseHttp: $0.advertiseHTTP)
            },
            owners: status.owners.map {
                Owner(stream: $0.name.value, node: $0.owner.node, revision: $0.owner.revision)
            },
            held: status.held.map(\.value), relays: relays.map { Relay(stream: $0.name.value, node: $0.node) }
        )
    }
}
