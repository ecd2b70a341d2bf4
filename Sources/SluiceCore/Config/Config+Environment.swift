extension Config {
    /// Applies the environment's overrides (see ``parse(_:environment:)``): a variable wins over
    /// the file.
    ///
    /// Only variables under a section's prefix count, so other `SLUICE_` variables (the test
    /// and benchmark scripts' `SLUICE_BINARY`, `SLUICE_BIN_DIR`) are left alone, while a typo
    /// under a section is refused rather than silently ignored.
    /// - Parameter environment: The process environment.
    mutating func applyOverrides(from environment: [String: String]) throws(ConfigError) {
        let keys = Dictionary(uniqueKeysWithValues: Self.keys.map { ($0.environmentName, $0) })
        let prefixes = Self.names(in: "").map { (section: $0, prefix: "SLUICE_\($0.uppercased())_") }
        for (name, text) in environment.sorted(by: { $0.key < $1.key }) {
            // A top-level key (`SLUICE_FORWARD`) is named exactly, without a section's prefix.
            if let key = keys[name] {
                try key.assign(key.environmentValue(text), to: &self, naming: "\(name) (\(key.path))")
            } else if let (section, prefix) = prefixes.first(where: { name.hasPrefix($0.prefix) }) {
                let known = keys.keys.filter { $0.hasPrefix(prefix) }.sorted().joined(separator: ", ")
                throw ConfigError(key: name, reason: "unknown key (known for \(section): \(known))")
            }
        }
    }
}
