/// A node of the cluster as it registers itself under `<prefix>nodes/<id>`: how the others
/// reach it.
public struct ClusterNode: Sendable, Hashable, Codable {
    /// The node's id (`cluster.node_id`).
    public var id: String
    /// Where its SRT listener is reached (`cluster.advertise_srt`).
    public var advertiseSRT: String?
    /// Where its HTTP port is reached (`cluster.advertise_http`).
    public var advertiseHTTP: String?

    enum CodingKeys: String, CodingKey {
        case id
        case advertiseSRT = "advertise_srt"
        case advertiseHTTP = "advertise_http"
    }

    /// Describes a node.
    /// - Parameters:
    ///   - id: The node's id.
    ///   - advertiseSRT: Where its SRT listener is reached.
    ///   - advertiseHTTP: Where its HTTP port is reached.
    public init(id: String, advertiseSRT: String?, advertiseHTTP: String?) {
        self.id = id
        self.advertiseSRT = advertiseSRT
        self.advertiseHTTP = advertiseHTTP
    }
}
