/// What a caller asks for: the mode of an SRT stream id.
public enum StreamMode: String, Sendable, Hashable {
    /// The caller wants to receive (the SRT default when `m` is absent).
    case request
    /// The caller sends a stream.
    case publish
    /// The caller both sends and receives.
    case bidirectional
}

/// Why a stream id was not accepted.
public enum StreamIDError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The id is empty.
    case empty
    /// The id is longer than SRT allows.
    case tooLong(Int)
    /// The `#!::` form is broken.
    case malformed(String)
    /// The resource name is not a valid ``StreamName``.
    case invalidName(String, reason: String)

    public var description: String {
        switch self {
        case .empty: "the stream id is empty"
        case .tooLong(let count): "the stream id is \(count) bytes, more than \(StreamID.maxLength)"
        case .malformed(let why): "malformed stream id: \(why)"
        case .invalidName(let name, let reason): "invalid stream name '\(name)': \(reason)"
        }
    }
}

/// A parsed SRT stream id.
///
/// Two forms are accepted:
/// - the access-control form `#!::r=NAME,m=publish[,u=USER]`, where a missing `m` means
///   `request` as the SRT specification says;
/// - a plain `NAME`, which many encoders send, taken as a publish request.
public struct StreamID: Sendable, Hashable {
    /// The most bytes SRT carries in a stream id.
    public static let maxLength = 512

    /// The stream the caller names.
    public var name: StreamName
    /// What the caller wants to do with it.
    public var mode: StreamMode
    /// The user name (`u`), if given.
    public var user: String?
    /// The content type (`t`), `stream` unless given.
    public var type: String

    /// Creates a stream id from its parts.
    /// - Parameters:
    ///   - name: The stream name.
    ///   - mode: The mode.
    ///   - user: The user name.
    ///   - type: The content type.
    public init(name: StreamName, mode: StreamMode, user: String? = nil, type: String = "stream") {
        self.name = name
        self.mode = mode
        self.user = user
        self.type = type
    }

    /// Parses the stream id a caller sent.
    /// - Parameter raw: The stream id exactly as received.
    /// - Throws: ``StreamIDError`` saying what is wrong.
    public init(parsing raw: String) throws(StreamIDError) {
        guard !raw.isEmpty else { throw .empty }
        guard raw.utf8.count <= Self.maxLength else { throw .tooLong(raw.utf8.count) }
        guard raw.hasPrefix("#!:") else {
            self.init(name: try StreamName(raw), mode: .publish)
            return
        }
        guard raw.hasPrefix("#!::") else {
            throw .malformed("only the '#!::key=value,...' form is supported")
        }
        var fields: [String: String] = [:]
        for item in raw.dropFirst(4).split(separator: ",", omittingEmptySubsequences: false) {
            guard let equals = item.firstIndex(of: "=") else {
                throw .malformed("'\(item)' is not key=value")
            }
            let key = String(item[..<equals])
            guard !key.isEmpty else { throw .malformed("'\(item)' has an empty key") }
            guard fields[key] == nil else { throw .malformed("key '\(key)' appears twice") }
            fields[key] = String(item[item.index(after: equals)...])
        }
        guard let resource = fields["r"] else { throw .malformed("no resource name (r=)") }
        let mode: StreamMode
        switch fields["m"] {
        case nil: mode = .request
        case let value?:
            guard let parsed = StreamMode(rawValue: value) else {
                throw .malformed("unknown mode 'm=\(value)'")
            }
            mode = parsed
        }
        self.init(
            name: try StreamName(resource), mode: mode, user: fields["u"],
            type: fields["t"] ?? "stream")
    }
}
