import Foundation

extension Config {
    /// Reads and validates a configuration file, with the environment's overrides applied.
    /// - Parameters:
    ///   - path: The file's path.
    ///   - environment: The process environment (`ProcessInfo.processInfo.environment`); see
    ///     ``parse(_:environment:)`` for which variables count.
    /// - Throws: ``ConfigError`` naming the key (or variable) and the reason.
    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> Config {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(key: "", reason: "cannot read the file '\(path)'")
        }
        return try parse(data, environment: environment)
    }

    /// Parses and validates a configuration document, with the environment's overrides applied.
    ///
    /// A variable named `SLUICE_` and a key path upper-cased with `_` for `.` overrides that
    /// key (`SLUICE_MEMORY_GLOBAL_LIMIT=2GiB`). Its text is read as the key's value would be
    /// in the file: numbers as numbers, anything else as a string; an empty variable unsets an
    /// optional string (`srt.passphrase`, `http.admin_token`). `SLUICE_FORWARD` holds the
    /// `forward` rules as JSON text. Any variable that starts with a section's prefix
    /// (`SLUICE_SRT_`, `SLUICE_BUFFER_`, `SLUICE_HTTP_`, `SLUICE_READERS_`, `SLUICE_MEMORY_`) is
    /// an override, and one that names no key is an error; other `SLUICE_` variables are not
    /// configuration. `streams` rules are set in the file only.
    /// - Parameters:
    ///   - data: The JSON text.
    ///   - environment: The process environment.
    /// - Throws: ``ConfigError`` naming the key (or variable) and the reason.
    public static func parse(_ data: Data, environment: [String: String]) throws(ConfigError) -> Config {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ConfigError(key: "", reason: "the file is not valid JSON (\(Self.describe(error)))")
        }
        guard case .object = document else {
            throw ConfigError(key: "", reason: "the top level must be a JSON object")
        }
        var root = try ConfigObject(document, path: "")
        var config = Config()
        try config.read(&root)
        config.streams = try StreamRule.rules(root.value("streams"), path: root.keyPath("streams"))
        try root.rejectUnknownKeys()
        try config.applyOverrides(from: environment)
        try config.validate()
        return config
    }

    /// Reads the table's keys inside `object`, section by section, in table order.
    private mutating func read(_ object: inout ConfigObject) throws(ConfigError) {
        for name in Self.names(in: object.path) {
            let path = object.keyPath(name)
            if let key = Self.keysByPath[path] {
                if let value = object.value(name) { try key.assign(value, to: &self, naming: path) }
            } else {
                var section = try ConfigObject(object.value(name), path: path)
                try read(&section)
                try section.rejectUnknownKeys()
            }
        }
    }

    /// The rules between keys, checked once the file and the environment have both been applied.
    private func validate() throws(ConfigError) {
        guard memory.soft < memory.hard else {
            throw ConfigError(
                key: "memory.hard", reason: "must be above memory.soft (\(memory.soft)), got \(memory.hard)")
        }
        guard memory.hard < memory.critical else {
            throw ConfigError(
                key: "memory.critical",
                reason: "must be above memory.hard (\(memory.hard)), got \(memory.critical)")
        }
        guard memory.hysteresis < memory.soft else {
            throw ConfigError(
                key: "memory.hysteresis",
                reason: "must be below memory.soft (\(memory.soft)), got \(memory.hysteresis)")
        }
        guard readers.httpWriteIntervalMilliseconds * 2 <= readers.maxLagMilliseconds else {
            throw ConfigError(
                key: "readers.http_write_interval_ms",
                reason:
                    "must be at most half of readers.max_lag_ms (\(readers.maxLagMilliseconds)), got \(readers.httpWriteIntervalMilliseconds): a reader waits that long between writes"
            )
        }
        if !http.listen.isLoopback && http.adminToken == nil {
            throw ConfigError(
                key: "http.admin_token",
                reason:
                    "required when http.listen (\(http.listen)) is not a loopback address: the admin API can disconnect streams"
            )
        }
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey]
            return (underlying as? String) ?? context.debugDescription
        }
        return String(describing: error)
    }
}

extension StreamRule {
    /// The `streams` array: each rule read with its index in its key path.
    fileprivate static func rules(_ value: JSONValue?, path: String) throws(ConfigError) -> [StreamRule] {
        guard let value else { return [] }
        guard case .array(let items) = value else { throw .expected(path, "an array", got: value) }
        var rules: [StreamRule] = []
        for (index, item) in items.enumerated() {
            var object = try ConfigObject(item, path: "\(path)[\(index)]")
            rules.append(try StreamRule(reading: &object))
        }
        return rules
    }

    private init(reading object: inout ConfigObject) throws(ConfigError) {
        guard case .string(let pattern)? = object.value("match"), !pattern.isEmpty else {
            throw ConfigError(
                key: object.keyPath("match"), reason: "every stream rule needs a non-empty name pattern")
        }
        self.init(
            pattern: pattern,
            perStreamLimit: try object.read("per_stream_limit", as: .size(in: (1 << 20)...(1 << 44))),
            priority: try object.read("priority", as: .integer(in: -1000...1000)) ?? 0)
        try object.rejectUnknownKeys()
    }
}
