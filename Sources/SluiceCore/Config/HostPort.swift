/// A host name or IPv4 address and a port, written `host:port`: how other nodes reach this
/// one, so unlike ``ListenAddress`` the host may be a DNS name.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// The host name or address.
    public var host: String
    /// The port, 1 to 65535.
    public var port: Int

    /// Creates an address.
    /// - Parameters:
    ///   - host: The host name or address.
    ///   - port: The port.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`: a host of letters, digits, `-` and `.`, and a port from 1 to 65535.
    /// - Parameter text: The address as written.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        let host = text[..<colon]
        guard !host.isEmpty, host.utf8.count <= 253,
            host.unicodeScalars.allSatisfy(Self.isHostCharacter)
        else { return nil }
        self.init(host: String(host), port: port)
    }

    private static func isHostCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", ".": true
        default: false
        }
    }

    public var description: String { "\(host):\(port)" }
}
