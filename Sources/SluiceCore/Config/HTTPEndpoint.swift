/// A plain-HTTP service address, written `http://host:port` (an etcd member's client URL): a
/// ``HostPort`` and the scheme.
public struct HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The host and port.
    public var address: HostPort

    /// Creates an endpoint.
    /// - Parameter address: The host and port.
    public init(_ address: HostPort) {
        self.address = address
    }

    /// Parses `http://host:port`, with an optional trailing `/`.
    /// - Parameter text: The URL as written.
    public init?(parsing text: String) {
        guard text.hasPrefix("http://") else { return nil }
        var rest = text.dropFirst("http://".count)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let address = HostPort(parsing: String(rest)) else { return nil }
        self.init(address)
    }

    public var description: String { "http://\(address)" }
}
