/// A real three-member etcd, started, and real `sluice` nodes on it, each joined and ready.
struct TestCluster {
    let etcd: EtcdCluster
    let nodes: [ClusterNodeProcess]

    /// Starts etcd, then the nodes, and waits until every node admits publishers.
    /// - Parameters:
    ///   - ids: The nodes' ids, in the order of ``nodes``.
    ///   - leaseTTLMilliseconds: Each node's `cluster.lease_ttl_ms`.
    init(nodes ids: [String] = ["node-a", "node-b"], leaseTTLMilliseconds: Int = 2000) async throws {
        etcd = try EtcdCluster()
        try await etcd.start()
        let etcd = etcd
        nodes = try ids.map {
            try ClusterNodeProcess($0, etcd: etcd, leaseTTLMilliseconds: leaseTTLMilliseconds)
        }
        for node in nodes { try await node.waitUntilReady() }
    }
}
