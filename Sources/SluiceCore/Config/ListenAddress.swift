/// An IPv4 address and port to listen on, written `"HOST:PORT"` (`"0.0.0.0:9000"`).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The dotted IPv4 address.
    public var host: String
    /// The port; 0 asks the system for a free one.
    public var port: UInt16

    /// Creates an address.
    /// - Parameters:
    ///   - host: A dotted IPv4 address, or `localhost`.
    ///   - port: The port.
    public init(host: String, port: UInt16) {
        self.host = host == "localhost" ? "127.0.0.1" : host
        self.port = port
    }

    /// Parses `"HOST:PORT"`.
    /// - Parameter text: The address as written.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"),
            let port = UInt16(text[text.index(after: colon)...])
        else { return nil }
        let host = String(text[..<colon])
        guard host == "localhost" || Self.isIPv4(host) else { return nil }
        self.init(host: host, port: port)
    }

    private static func isIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Whether the address is on the loopback network.
    public var isLoopback: Bool { host.hasPrefix("127.") }

    public var description: String { "\(host):\(port)" }
}
