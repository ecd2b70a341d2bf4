extension Config {
    /// Keys that only take effect at start: they are bound into listening sockets or into the
    /// process. A reload reports a change to them and leaves them as they were.
    public static let restartOnlyKeys = Set(keys.filter(\.isRestartOnly).map(\.path))

    /// The full key paths whose values differ between two configurations (`streams` counts as
    /// one key).
    /// - Parameter other: The configuration to compare with.
    public func changedKeys(from other: Config) -> [String] {
        var changed = Self.keys.filter { $0.differs(between: self, and: other) }.map(\.path)
        if streams != other.streams { changed.append("streams") }
        return changed.sorted()
    }

    /// This configuration with the restart-only keys taken from `running`.
    /// - Parameter running: The configuration in force.
    public func keepingRestartOnlyKeys(of running: Config) -> Config {
        var merged = self
        for key in Self.keys where key.isRestartOnly { key.copy(from: running, to: &merged) }
        return merged
    }
}
