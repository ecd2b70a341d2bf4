import Foundation

/// Where a forwarded stream is published: an SRT listener that Sluice calls, written as a URL in
/// `forward[].to`:
///
/// `srt://HOST:PORT?streamid=ID&passphrase=SECRET&pbkeylen=16&latency=120`
///
/// `HOST` is an IPv4 address or a host name (looked up at every connection attempt). Every
/// parameter is optional: `streamid` defaults to the stream's own name and may hold `{name}`,
/// which stands for it, so one rule can forward many streams to one server; `passphrase` (10 to
/// 79 characters) and `pbkeylen` (16, 24 or 32) encrypt; `latency` is in milliseconds, as
/// libsrt's own URLs write it (ffmpeg's is in microseconds). Values may be percent-encoded, and
/// must be for `&` and `%`; `#` may be written as it is, as ffmpeg takes it.
public struct ForwardDestination: Sendable, Hashable, CustomStringConvertible {
    /// The URL as written.
    public let url: String
    /// The listener's host: an IPv4 address or a name.
    public let host: String
    /// The listener's port.
    public let port: UInt16
    /// The stream id to send, `{name}` standing for the stream's name; `nil` sends the name.
    public let streamID: String?
    /// The passphrase to encrypt with, if any.
    public let passphrase: String?
    /// The AES key length in bytes, with a passphrase.
    public let keyLength: Int
    /// The latency to ask for, in milliseconds; `nil` takes `srt.latency_ms`.
    public let latencyMilliseconds: Int?
    /// The query's parameters in their order, decoded, for the redacted form.
    private let parameters: [(name: String, value: String)]

    /// Why a URL is not a destination.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong and what is allowed.
        public var reason: String

        public var description: String { reason }
    }

    /// The parameters a URL may carry.
    static let known = ["streamid", "passphrase", "pbkeylen", "latency", "mode"]

    /// Parses and checks a `srt://` URL.
    /// - Parameter url: The URL as written.
    /// - Throws: ``Invalid`` saying what is wrong.
    public init(parsing url: String) throws(Invalid) {
        guard url.lowercased().hasPrefix("srt://") else {
            throw Invalid(reason: "expected an srt:// URL such as \"srt://host:9000?streamid=live/x\"")
        }
        let rest = url.dropFirst("srt://".count)
        let authority = rest.prefix { $0 != "?" }
        let query = rest.dropFirst(authority.count + 1)
        (host, port) = try Self.hostAndPort(String(authority))
        var parameters: [(name: String, value: String)] = []
        for item in query.split(separator: "&") {
            let name = String(item.prefix { $0 != "=" })
            guard Self.known.contains(name) else {
                throw Invalid(
                    reason: "unknown parameter '\(name)' (known: \(Self.known.joined(separator: ", ")))")
            }
            guard !parameters.contains(where: { $0.name == name }) else {
                throw Invalid(reason: "parameter '\(name)' is given twice")
            }
            guard let value = String(item.dropFirst(name.count + 1)).removingPercentEncoding else {
                throw Invalid(reason: "parameter '\(name)' has an invalid percent-encoding")
            }
            parameters.append((name, value))
        }
        let values = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) })
        if let mode = values["mode"], mode != "caller" {
            throw Invalid(reason: "mode must be \"caller\" (Sluice calls the destination), got \"\(mode)\"")
        }
        if let streamID = values["streamid"], !(1...512).contains(streamID.utf8.count) {
            throw Invalid(reason: "streamid must be 1 to 512 characters, got \(streamID.utf8.count)")
        }
        if let passphrase = values["passphrase"], !(10...79).contains(passphrase.utf8.count) {
            throw Invalid(reason: "passphrase must be 10 to 79 characters, got \(passphrase.utf8.count)")
        }
        var keyLength = 16
        if let text = values["pbkeylen"] {
            guard let length = Int(text), [16, 24, 32].contains(length) else {
                throw Invalid(reason: "pbkeylen must be 16, 24 or 32, got \"\(text)\"")
            }
            guard values["passphrase"] != nil else { throw Invalid(reason: "pbkeylen needs a passphrase") }
            keyLength = length
        }
        var latency: Int?
        if let text = values["latency"] {
            guard let milliseconds = Int(text), (0...60_000).contains(milliseconds) else {
                throw Invalid(reason: "latency must be milliseconds from 0 to 60000, got \"\(text)\"")
            }
            latency = milliseconds
        }
        self.url = url
        self.streamID = values["streamid"]
        self.passphrase = values["passphrase"]
        self.keyLength = keyLength
        self.latencyMilliseconds = latency
        self.parameters = parameters
    }

    private static func hostAndPort(_ authority: String) throws(Invalid) -> (String, UInt16) {
        if authority.hasPrefix("[") { throw Invalid(reason: "IPv6 addresses are not supported") }
        guard !authority.contains("/") && !authority.contains("@") else {
            throw Invalid(reason: "expected srt://HOST:PORT with no path or user, got \"\(authority)\"")
        }
        guard let colon = authority.lastIndex(of: ":"),
            let port = UInt16(authority[authority.index(after: colon)...]),
            port > 0
        else {
            throw Invalid(
                reason: "expected srt://HOST:PORT with a port from 1 to 65535, got \"\(authority)\"")
        }
        let host = String(authority[..<colon])
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let isHostName =
            !host.isEmpty && host.utf8.count <= 253
            && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
        guard isHostName else { throw Invalid(reason: "'\(host)' is not an IPv4 address or a host name") }
        return (host, port)
    }

    /// The stream id to send for a stream.
    /// - Parameter name: The forwarded stream's name.
    public func streamID(for name: StreamName) -> String {
        streamID?.replacingOccurrences(of: "{name}", with: name.value) ?? name.value
    }

    /// The listener as `host:port`.
    public var address: String { "\(host):\(port)" }

    /// The URL with its passphrase replaced by `<redacted>`: for logs, labels and the API.
    public var redacted: String {
        guard passphrase != nil else { return url }
        let query = parameters.map { "\($0.name)=\($0.name == "passphrase" ? "<redacted>" : $0.value)" }
        return "srt://\(address)?" + query.joined(separator: "&")
    }

    public var description: String { redacted }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.url == rhs.url }

    public func hash(into hasher: inout Hasher) { hasher.combine(url) }
}
