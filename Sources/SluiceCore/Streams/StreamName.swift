/// A validated stream name such as `live/cam1`.
///
/// Names are 1 to 255 characters of ASCII letters, digits and `/ _ - .`, made of non-empty
/// `/`-separated segments, none of them `.` or `..` and none containing `..`. They end up in
/// logs, metric labels and URLs, so anything else is refused.
public struct StreamName: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The name as text.
    public let value: String

    /// The longest name accepted.
    public static let maxLength = 255

    /// Validates a name.
    /// - Parameter value: The candidate name.
    /// - Throws: ``StreamIDError/invalidName(_:reason:)`` saying what is wrong.
    public init(_ value: String) throws(StreamIDError) {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty else { throw .invalidName(value, reason: "it is empty") }
        guard bytes.count <= Self.maxLength else {
            throw .invalidName(value, reason: "it is longer than \(Self.maxLength) characters")
        }
        for byte in bytes where !Self.isAllowed(byte) {
            throw .invalidName(
                value, reason: "it contains a character other than letters, digits and / _ - .")
        }
        if value.contains("..") { throw .invalidName(value, reason: "it contains '..'") }
        for segment in value.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { throw .invalidName(value, reason: "it has an empty segment") }
            if segment == "." { throw .invalidName(value, reason: "it has a '.' segment") }
        }
        self.value = value
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "/"), UInt8(ascii: "_"),
            UInt8(ascii: "-"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    public var description: String { value }

    public static func < (lhs: StreamName, rhs: StreamName) -> Bool { lhs.value < rhs.value }
}
