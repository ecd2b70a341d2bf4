/// A number of bytes, written in configuration as an integer or as a string with a binary or
/// decimal unit (`"400MiB"`, `"2GiB"`, `"500MB"`).
public struct ByteSize: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The number of bytes.
    public var bytes: Int

    /// Creates a size.
    /// - Parameter bytes: The number of bytes.
    public init(bytes: Int) { self.bytes = bytes }

    private static let units: [(suffix: String, factor: Int)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
        ("B", 1),
    ]

    /// Parses `"400MiB"`, `"1.5GiB"`, `"2048"` and the like.
    /// - Parameter text: The size as written.
    public init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        var factor = 1
        var number = Substring(trimmed)
        for unit in Self.units where trimmed.hasSuffix(unit.suffix) {
            factor = unit.factor
            number = trimmed.dropLast(unit.suffix.count)
            break
        }
        let digits = String(number).trimmingWhitespace()
        if let whole = Int(digits), whole >= 0 {
            let (product, overflow) = whole.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            bytes = product
        } else if let fraction = Double(digits), fraction >= 0, fraction.isFinite,
            fraction * Double(factor) < Double(Int.max)
        {
            bytes = Int(fraction * Double(factor))
        } else {
            return nil
        }
    }

    /// The size in the largest binary unit that writes it exactly, e.g. `400MiB`.
    public var description: String {
        for (suffix, factor) in [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(suffix)"
        }
        return "\(bytes)B"
    }

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }
}

extension String {
    func trimmingWhitespace() -> String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
