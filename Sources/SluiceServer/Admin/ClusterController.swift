import Hummingbird
import SluiceCluster
import SluiceIngest

/// `GET /api/cluster`: the nodes, who owns which stream, this node's lease, and the streams it
/// relays.
struct ClusterController: Sendable {
    let cluster: ClusterService?
    let ingest: IngestService

    func addRoutes(to router: some RouterMethods<SluiceRequestContext>) {
        router.get("/api/cluster") { _, _ in
            cluster.map { ClusterReport($0.status, relays: ingest.relayedStreams) } ?? .singleNode
        }
        router.rejectOtherMethods("/api/cluster", allowing: [.get])
    }
}
