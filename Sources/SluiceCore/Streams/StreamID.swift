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
    /// The id holds a NUL byte at this byte offset: read as a C string it would be cut short
    /// there, and name a different stream than the caller sent.
    case embeddedNUL(at: Int)
    /// The id is not valid UTF-8 from this byte offset on.
    case invalidUTF8(at: Int)
    /// The id holds a control character (C0, DEL or C1), which could rewrite a terminal that
    /// shows it, at this byte offset.
    case controlCharacter(UInt32, at: Int)

    public var description: String {
        switch self {
        case .empty: "the stream id is empty"
        case .tooLong(let count): "the stream id is \(count) bytes, more than \(StreamID.maxLength)"
        case .malformed(let why): "malformed stream id: \(why)"
        case .invalidName(let name, let reason): "invalid stream name '\(name)': \(reason)"
        case .embeddedNUL(let offset): "the stream id holds a NUL byte at byte \(offset)"
        case .invalidUTF8(let offset): "the stream id is not valid UTF-8 from byte \(offset)"
        case .controlCharacter(let value, let offset):
            "the stream id holds control character \(Self.codePoint(value)) at byte \(offset)"
        }
    }

    /// `U+001B` for 27.
    private static func codePoint(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
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

    /// Parses the stream id a caller sent, as the bytes it sent: the transport must not decode
    /// them first, or a NUL or an invalid sequence would be lost before it could be refused.
    /// - Parameter bytes: The stream id exactly as received.
    /// - Throws: ``StreamIDError`` saying what is wrong.
    public init(parsing bytes: some Collection<UInt8>) throws(StreamIDError) {
        guard bytes.count <= Self.maxLength else { throw .tooLong(bytes.count) }
        var text = String.UnicodeScalarView()
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                text.append(scalar)
                offset += UTF8.width(scalar)
            case .emptyInput:
                break decoding
            case .error:
                throw .invalidUTF8(at: offset)
            }
        }
        try self.init(parsing: String(text))
    }

    /// Parses a stream id already held as text.
    /// - Parameter raw: The stream id.
    /// - Throws: ``StreamIDError`` saying what is wrong.
    public init(parsing raw: String) throws(StreamIDError) {
        guard !raw.isEmpty else { throw .empty }
        guard raw.utf8.count <= Self.maxLength else { throw .tooLong(raw.utf8.count) }
        try Self.refuseControlCharacters(raw)
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

    /// Control characters are refused in every part of the id, `u=` and unknown keys included,
    /// not only in the name: whatever is accepted ends up in logs and the admin API.
    private static func refuseControlCharacters(_ raw: String) throws(StreamIDError) {
        var offset = 0
        for scalar in raw.unicodeScalars {
            if scalar.value == 0 { throw .embeddedNUL(at: offset) }
            if scalar.properties.generalCategory == .control {
                throw .controlCharacter(scalar.value, at: offset)
            }
            offset += UTF8.width(scalar)
        }
    }
}
