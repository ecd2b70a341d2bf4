/// Reads one JSON object of the configuration, key by key, remembering which keys were read
/// so that any other key can be reported as unknown (a typo must not pass silently).
struct ConfigObject {
    let path: String
    private let fields: [String: JSONValue]
    private var read: Set<String> = []

    init(_ value: JSONValue?, path: String) throws(ConfigError) {
        self.path = path
        switch value {
        case nil, .null?: fields = [:]
        case .object(let fields)?: self.fields = fields
        case let other?: throw ConfigError(key: path, reason: "expected an object, got \(other)")
        }
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value at `key`, or `nil` when absent or `null`.
    mutating func value(_ key: String) -> JSONValue? {
        read.insert(key)
        if case .null? = fields[key] { return nil }
        return fields[key]
    }

    mutating func object(_ key: String) throws(ConfigError) -> ConfigObject {
        try ConfigObject(value(key), path: keyPath(key))
    }

    mutating func integer(_ key: String, default fallback: Int, in range: ClosedRange<Int>)
        throws(ConfigError) -> Int
    {
        guard let value = value(key) else { return fallback }
        guard case .integer(let number) = value, let int = Int(exactly: number),
            range.contains(int)
        else {
            throw ConfigError(
                key: keyPath(key),
                reason: "expected an integer from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        return int
    }

    mutating func fraction(
        _ key: String, default fallback: Double, above lower: Double, below upper: Double? = nil,
        upTo inclusiveUpper: Double? = nil
    ) throws(ConfigError) -> Double {
        guard let value = value(key) else { return fallback }
        let number: Double
        switch value {
        case .integer(let int): number = Double(int)
        case .number(let double): number = double
        default: number = .nan
        }
        let fits =
            number > lower && (upper.map { number < $0 } ?? true)
            && (inclusiveUpper.map { number <= $0 } ?? true)
        guard fits else {
            let top = upper.map { "below \($0)" } ?? inclusiveUpper.map { "at most \($0)" } ?? ""
            let bottom = lower < 0 ? "from 0" : "above \(lower)"
            throw ConfigError(
                key: keyPath(key), reason: "expected a number \(bottom) and \(top), got \(value)")
        }
        return number
    }

    /// The objects of an array at `key`, each read with its index in its key path.
    mutating func objects(_ key: String) throws(ConfigError) -> [ConfigObject] {
        guard let value = value(key) else { return [] }
        guard case .array(let items) = value else {
            throw ConfigError(key: keyPath(key), reason: "expected an array, got \(value)")
        }
        var objects: [ConfigObject] = []
        for (index, item) in items.enumerated() {
            objects.append(try ConfigObject(item, path: "\(keyPath(key))[\(index)]"))
        }
        return objects
    }

    mutating func string(_ key: String, default fallback: String?) throws(ConfigError) -> String? {
        guard let value = value(key) else { return fallback }
        guard case .string(let string) = value else {
            throw ConfigError(key: keyPath(key), reason: "expected a string, got \(value)")
        }
        return string
    }

    mutating func address(_ key: String, default fallback: ListenAddress) throws(ConfigError) -> ListenAddress
    {
        let text = try string(key, default: fallback.description)!
        guard let address = ListenAddress(parsing: text) else {
            throw ConfigError(
                key: keyPath(key), reason: "expected \"IPv4:PORT\" such as \"\(fallback)\", got \"\(text)\"")
        }
        return address
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T)
        throws(ConfigError) -> T where T.RawValue == String
    {
        let allowed = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
        guard let value = value(key) else { return fallback }
        guard case .string(let string) = value, let choice = T(rawValue: string) else {
            throw ConfigError(key: keyPath(key), reason: "expected \(allowed), got \(value)")
        }
        return choice
    }

    mutating func size(_ key: String, default fallback: ByteSize, in range: ClosedRange<Int>)
        throws(ConfigError) -> ByteSize
    {
        guard let value = value(key) else { return fallback }
        let size: ByteSize
        switch value {
        case .integer(let number): size = ByteSize(bytes: Int(number))
        case .string(let text):
            guard let parsed = ByteSize(parsing: text) else {
                throw ConfigError(
                    key: keyPath(key),
                    reason: "expected a size such as 1048576, \"400MiB\" or \"2GiB\", got \(value)")
            }
            size = parsed
        default:
            throw ConfigError(
                key: keyPath(key),
                reason: "expected a size in bytes or a string such as \"400MiB\", got \(value)")
        }
        guard range.contains(size.bytes) else {
            throw ConfigError(
                key: keyPath(key),
                reason:
                    "expected a size from \(ByteSize(bytes: range.lowerBound)) to \(ByteSize(bytes: range.upperBound)), got \(value)"
            )
        }
        return size
    }

    /// Fails on the first key that was never read.
    func rejectUnknownKeys() throws(ConfigError) {
        if let unknown = fields.keys.sorted().first(where: { !read.contains($0) }) {
            let known = read.sorted().joined(separator: ", ")
            throw ConfigError(key: keyPath(unknown), reason: "unknown key (known here: \(known))")
        }
    }
}
