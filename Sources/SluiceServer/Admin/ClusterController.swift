import Hummingbird
import SluiceCluster

/// `GET /api/cluster`: the nodes, who owns which stream, and this node's lease.
struct ClusterController: Sendable {
    let cluster: ClusterService?

    func addRoutes(to router: some RouterMethods<SluiceRequestContext>) {
        router.get("/api/cluster") { _, _ in cluster.map { ClusterReport($0.status) } ?? .singleNode }
        router.rejectOtherMethods("/api/cluster", allowing: [.get])
    }
}
