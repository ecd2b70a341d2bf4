/// A plain-HTTP service address, written `http://host:port` (an etcd member's client URL).
public struct HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The host name or address.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Creates an endpoint.
    /// - Parameters:
    ///   - host: The host name or address.
    ///   - port: The TCP port.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `http://host:port`, with an optional trailing `/`.
    /// - Parameter text: The URL as written.
    public init?(parsing text: String) {
        guard text.hasPrefix("http://") else { return nil }
        var rest = text.dropFirst("http://".count)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let address = HostPort(parsing: String(rest)) else { return nil }
        self.init(host: address.host, port: address.port)
    }

    public var description: String { "http://\(host):\(port)" }
}
