/// A pattern over stream names, as `streams[].match` and `forward[].match` write it: `*`
/// matches within one `/`-separated segment, `**` across segments, `?` one character other than
/// `/`; anything else matches itself.
public struct NamePattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String

    /// Wraps a pattern.
    /// - Parameter text: The pattern as written.
    public init(_ text: String) { self.text = text }

    /// Whether `name` matches the pattern.
    /// - Parameter name: A stream name.
    public func matches(_ name: String) -> Bool {
        Self.glob(Array(text.utf8)[...], Array(name.utf8)[...])
    }

    public var description: String { text }

    private static func glob(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        let slash = UInt8(ascii: "/")
        if first == UInt8(ascii: "*") {
            let crossesSegments = pattern.dropFirst().first == UInt8(ascii: "*")
            let rest = pattern.dropFirst(crossesSegments ? 2 : 1)
            var candidate = text
            while true {
                if glob(rest, candidate) { return true }
                guard let next = candidate.first, crossesSegments || next != slash else { return false }
                candidate = candidate.dropFirst()
            }
        }
        guard let character = text.first else { return false }
        if first == UInt8(ascii: "?") ? character != slash : first == character {
            return glob(pattern.dropFirst(), text.dropFirst())
        }
        return false
    }
}
