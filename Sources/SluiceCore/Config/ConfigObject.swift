/// Reads one JSON object of the configuration, key by key, remembering which keys were read
/// so that any other key can be reported as unknown (a typo must not pass silently).
struct ConfigObject {
    /// The object's full key path; empty for the top level.
    let path: String
    private let fields: [String: JSONValue]
    private var read: Set<String> = []

    /// Opens an object; absent or `null` reads as empty.
    /// - Parameters:
    ///   - value: The object as written.
    ///   - path: Its full key path.
    init(_ value: JSONValue?, path: String) throws(ConfigError) {
        self.path = path
        switch value {
        case nil, .null?: fields = [:]
        case .object(let fields)?: self.fields = fields
        case let other?: throw .expected(path, "an object", got: other)
        }
    }

    /// The full key path of `key` in this object.
    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value at `key`, or `nil` when absent or `null`.
    mutating func value(_ key: String) -> JSONValue? {
        read.insert(key)
        if case .null? = fields[key] { return nil }
        return fields[key]
    }

    /// The value at `key` read as `kind`, or `nil` when absent or `null`.
    mutating func read<Value>(_ key: String, as kind: ConfigValueKind<Value>) throws(ConfigError) -> Value? {
        guard let value = value(key) else { return nil }
        return try kind.read(value, keyPath(key))
    }

    /// Fails on the first key that was never read.
    func rejectUnknownKeys() throws(ConfigError) {
        if let unknown = fields.keys.sorted().first(where: { !read.contains($0) }) {
            let known = read.sorted().joined(separator: ", ")
            throw ConfigError(key: keyPath(unknown), reason: "unknown key (known here: \(known))")
        }
    }
}
