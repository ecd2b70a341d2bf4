/// Why the node could not join the cluster.
enum ClusterError: Error, CustomStringConvertible {
    /// Another process is registered under this node's id (a second node with the same
    /// `cluster.node_id`, or this node's previous process, whose lease has not yet expired).
    case nodeIDTaken(String, lease: Int64)

    var description: String {
        switch self {
        case .nodeIDTaken(let id, let lease):
            "node id '\(id)' is registered under another lease (\(lease)); retrying until it expires"
        }
    }
}
