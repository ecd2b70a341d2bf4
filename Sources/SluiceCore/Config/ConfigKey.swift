/// One key of the configuration table: where it is written, how its value is read and written,
/// and where it lives in ``Config``. Decoding, environment overrides, rendering, diffing and
/// the restart-only list all follow the table, so a key is declared once.
struct ConfigKey: Sendable {
    /// The full key path, such as `srt.latency_ms`.
    let path: String
    /// Whether the key only takes effect at start (bound into a socket or the process).
    let isRestartOnly: Bool
    /// How the variable that overrides this key reads its text.
    let environmentValue: @Sendable (String) -> JSONValue
    private let assignValue: @Sendable (JSONValue, String, inout Config) throws(ConfigError) -> Void
    private let writeValue: @Sendable (Config) -> JSONValue
    private let writeRedactedValue: @Sendable (Config) -> JSONValue
    private let compareValues: @Sendable (Config, Config) -> Bool
    private let copyValue: @Sendable (Config, inout Config) -> Void

    /// Declares a key.
    /// - Parameters:
    ///   - path: The full key path.
    ///   - field: Where the value lives in ``Config``.
    ///   - kind: How the value is read and written.
    ///   - restartOnly: Whether a reload must leave the running value in place.
    ///   - secret: Whether the whole value is redacted when shown (a value that only holds
    ///     secrets, such as a passphrase, rather than one the kind redacts inside).
    init<Value>(
        _ path: String, _ field: WritableKeyPath<Config, Value> & Sendable, _ kind: ConfigValueKind<Value>,
        restartOnly: Bool = false, secret: Bool = false
    ) {
        self.path = path
        self.isRestartOnly = restartOnly
        self.environmentValue = kind.environmentValue
        self.assignValue = { value, name, config throws(ConfigError) in
            // `null` stands for the default, in the file and (for optional strings) as an empty
            // environment variable, where it must undo what the file set.
            config[keyPath: field] = value == .null ? Config()[keyPath: field] : try kind.read(value, name)
        }
        self.writeValue = { kind.write($0[keyPath: field]) }
        self.writeRedactedValue = { config in
            let value = config[keyPath: field]
            guard secret else { return (kind.redact ?? kind.write)(value) }
            return kind.write(value) == .null ? .null : .string("<redacted>")
        }
        self.compareValues = { $0[keyPath: field] != $1[keyPath: field] }
        self.copyValue = { source, target in target[keyPath: field] = source[keyPath: field] }
    }

    /// The environment variable that overrides the key: `SLUICE_` and the path upper-cased,
    /// with `_` for `.` (`SLUICE_SRT_LATENCY_MS`).
    var environmentName: String {
        "SLUICE_" + String(path.uppercased().map { $0 == "." ? "_" : $0 })
    }

    /// Sets the key in `config` from `value`.
    /// - Parameters:
    ///   - value: The value as written.
    ///   - config: The configuration to change.
    ///   - name: How errors name the key: its path, or the variable that set it.
    func assign(_ value: JSONValue, to config: inout Config, naming name: String) throws(ConfigError) {
        try assignValue(value, name, &config)
    }

    /// The key's value in `config`, as it is written in the file.
    func value(in config: Config) -> JSONValue { writeValue(config) }

    /// The key's value in `config` as it is shown: secrets written as `"<redacted>"`.
    func redactedValue(in config: Config) -> JSONValue { writeRedactedValue(config) }

    /// Whether the key has different values in two configurations.
    func differs(between first: Config, and second: Config) -> Bool { compareValues(first, second) }

    /// Sets the key in `target` to its value in `source`.
    func copy(from source: Config, to target: inout Config) { copyValue(source, &target) }
}
