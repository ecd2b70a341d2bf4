/// Another node of the cluster as it registered itself: how its SRT listener and HTTP port
/// are reached, for relaying a stream it owns and redirecting HTTP readers to it.
public struct DirectoryNode: Sendable, Hashable {
    /// The node's id.
    public var id: String
    /// Its advertised SRT address (`cluster.advertise_srt`), when it parses as `host:port`.
    public var srt: HostPort?
    /// Its advertised HTTP address (`cluster.advertise_http`), when it parses as `host:port`.
    public var http: HostPort?

    /// Describes a node.
    /// - Parameters:
    ///   - id: The node's id.
    ///   - srt: Its SRT address.
    ///   - http: Its HTTP address.
    public init(id: String, srt: HostPort?, http: HostPort?) {
        self.id = id
        self.srt = srt
        self.http = http
    }
}
