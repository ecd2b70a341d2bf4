/// A configuration problem, naming the key it is about.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The full key path, such as `srt.latency_ms`; empty for the document as a whole.
    public var key: String
    /// What is wrong and what is allowed.
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - key: The full key path.
    ///   - reason: What is wrong and what is allowed.
    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String {
        key.isEmpty ? "config: \(reason)" : "config key '\(key)': \(reason)"
    }
}
