import Synchronization

/// The configuration in force, shared by the parts that read it on every use (limits,
/// timeouts, tokens) so that a reload reaches them all at once.
public final class ConfigStore: Sendable {
    private let value: Mutex<Config>

    /// Creates a store holding the configuration read at start.
    /// - Parameter config: The configuration.
    public init(_ config: Config) { value = Mutex(config) }

    /// The configuration in force now.
    public var current: Config { value.withLock { $0 } }

    /// Puts a new configuration in force.
    /// - Parameter config: The configuration that replaces the running one.
    public func replace(with config: Config) { value.withLock { $0 = config } }
}
