extension ConfigValueKind where Value == Int {
    /// A whole number within `range`.
    static func integer(in range: ClosedRange<Int>) -> Self {
        integer("an integer from \(range.lowerBound) to \(range.upperBound)", allowing: range.contains)
    }

    /// One of a few whole numbers.
    static func integer(oneOf allowed: [Int]) -> Self {
        let names = allowed.map(String.init)
        return integer(
            names.dropLast().joined(separator: ", ") + " or " + names.last!, allowing: allowed.contains)
    }

    private static func integer(_ expected: String, allowing allows: @escaping @Sendable (Int) -> Bool)
        -> Self
    {
        ConfigValueKind(
            read: { value, key throws(ConfigError) in
                guard case .integer(let number) = value, let int = Int(exactly: number), allows(int) else {
                    throw .expected(key, expected, got: value)
                }
                return int
            },
            write: { .integer(Int64($0)) },
            environmentValue: numberOrText)
    }
}

extension ConfigValueKind where Value == Double {
    /// A number strictly between two bounds.
    static func fraction(above lower: Double, below upper: Double) -> Self {
        fraction("a number above \(lower) and below \(upper)") { $0 > lower && $0 < upper }
    }

    /// A number above one bound and up to another.
    static func fraction(above lower: Double, upTo upper: Double) -> Self {
        fraction("a number above \(lower) and at most \(upper)") { $0 > lower && $0 <= upper }
    }

    /// A number from one bound and below another.
    static func fraction(from lower: Double, below upper: Double) -> Self {
        fraction("a number from \(lower) and below \(upper)") { $0 >= lower && $0 < upper }
    }

    private static func fraction(_ expected: String, allowing allows: @escaping @Sendable (Double) -> Bool)
        -> Self
    {
        ConfigValueKind(
            read: { value, key throws(ConfigError) in
                let number: Double? =
                    switch value {
                    case .integer(let int): Double(int)
                    case .number(let double): double
                    default: nil
                    }
                guard let number, allows(number) else { throw .expected(key, expected, got: value) }
                return number
            },
            write: { .number($0) },
            environmentValue: numberOrText)
    }
}

extension ConfigValueKind where Value == ByteSize {
    /// A size in bytes within `range`: a plain integer or a string with a unit (`"2GiB"`).
    static func size(in range: ClosedRange<Int>) -> Self {
        ConfigValueKind(
            read: { value, key throws(ConfigError) in try readSize(value, key, in: range, alternative: "") },
            write: { .string($0.description) },
            environmentValue: numberOrText)
    }

    fileprivate static func readSize(
        _ value: JSONValue, _ key: String, in range: ClosedRange<Int>, alternative: String
    ) throws(ConfigError) -> ByteSize {
        let size: ByteSize? =
            switch value {
            case .integer(let number): Int(exactly: number).map(ByteSize.init(bytes:))
            case .string(let text): ByteSize(parsing: text)
            default: nil
            }
        guard let size else {
            throw .expected(key, "a size such as 1048576, \"400MiB\" or \"2GiB\"\(alternative)", got: value)
        }
        guard range.contains(size.bytes) else {
            throw .expected(
                key,
                "a size from \(ByteSize(bytes: range.lowerBound)) to \(ByteSize(bytes: range.upperBound))",
                got: value)
        }
        return size
    }
}

extension ConfigValueKind where Value == GlobalLimit {
    /// `"auto"`, or a size within `range`.
    static func globalLimit(in range: ClosedRange<Int>) -> Self {
        ConfigValueKind(
            read: { value, key throws(ConfigError) in
                if value == .string("auto") { return .auto }
                return .bytes(
                    try ConfigValueKind<ByteSize>.readSize(
                        value, key, in: range, alternative: ", or \"auto\""))
            },
            write: { .string($0.description) },
            environmentValue: numberOrText)
    }
}

extension ConfigValueKind where Value == String? {
    /// A string whose UTF-8 length is within `length`, or `null` for none.
    static func optionalString(length: ClosedRange<Int>) -> Self {
        let allowed =
            length.upperBound == .max
            ? "at least \(length.lowerBound)" : "\(length.lowerBound) to \(length.upperBound)"
        return ConfigValueKind(
            read: { value, key throws(ConfigError) in
                guard case .string(let string) = value else { throw .expected(key, "a string", got: value) }
                guard length.contains(string.utf8.count) else {
                    throw ConfigError(
                        key: key,
                        reason: "must be \(allowed) characters (UTF-8 bytes), got \(string.utf8.count)")
                }
                return string
            },
            write: { $0.map(JSONValue.string) ?? .null },
            environmentValue: optionalText)
    }
}

extension ConfigValueKind where Value == ListenAddress {
    /// An IPv4 address and port, `"HOST:PORT"`.
    static var address: Self {
        ConfigValueKind(
            read: { value, key throws(ConfigError) in
                guard case .string(let text) = value, let address = ListenAddress(parsing: text) else {
                    throw .expected(key, "\"IPv4:PORT\" such as \"0.0.0.0:9000\"", got: value)
                }
                return address
            },
            write: { .string($0.description) },
            environmentValue: text)
    }
}

extension ConfigValueKind {
    /// One of a few names, each standing for a value.
    static func choice(_ options: [(name: String, value: Value)]) -> Self {
        let names = options.map { "\"\($0.name)\"" }
        let expected = names.dropLast().joined(separator: ", ") + " or " + names.last!
        return ConfigValueKind(
            read: { value, key throws(ConfigError) in
                guard case .string(let name) = value, let option = options.first(where: { $0.name == name })
                else { throw .expected(key, expected, got: value) }
                return option.value
            },
            write: { value in .string(options.first { $0.value == value }!.name) },
            environmentValue: text)
    }

    /// One of the cases of a string enumeration, by raw value.
    static func choice(_: Value.Type) -> Self
    where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
        choice(Value.allCases.map { ($0.rawValue, $0) })
    }
}

extension ConfigValueKind where Value == ThreadCount {
    /// `"auto"`, or an integer within `range`.
    static func threadCount(in range: ClosedRange<Int>) -> Self {
        ConfigValueKind(
            read: { value, key throws(ConfigError) in
                if value == .string("auto") { return .auto }
                guard case .integer(let number) = value, let count = Int(exactly: number),
                    range.contains(count)
                else {
                    throw .expected(
                        key, "an integer from \(range.lowerBound) to \(range.upperBound), or \"auto\"",
                        got: value)
                }
                return .count(count)
            },
            write: {
                switch $0 {
                case .auto: .string("auto")
                case .count(let count): .integer(Int64(count))
                }
            },
            environmentValue: numberOrText)
    }
}

extension ConfigValueKind where Value == [HTTPEndpoint] {
    /// A list of `http://host:port` URLs, possibly empty. In the environment, the URLs are
    /// separated by commas.
    static var endpointList: Self {
        ConfigValueKind(
            read: { value, key throws(ConfigError) in
                guard case .array(let items) = value else {
                    throw .expected(key, "an array of \"http://host:port\" URLs", got: value)
                }
                var endpoints: [HTTPEndpoint] = []
                for (index, item) in items.enumerated() {
                    guard case .string(let text) = item, let endpoint = HTTPEndpoint(parsing: text) else {
                        throw .expected(
                            "\(key)[\(index)]", "a URL such as \"http://10.0.0.1:2379\"", got: item)
                    }
                    endpoints.append(endpoint)
                }
                return endpoints
            },
            write: { .array($0.map { .string($0.description) }) },
            environmentValue: { text in
                .array(text.split(separator: ",").map { .string(String($0.filter { !$0.isWhitespace })) })
            })
    }
}

extension ConfigValueKind where Value == HostPort? {
    /// A `host:port` address whose host may be a name, or `null` for none.
    static var optionalHostPort: Self {
        ConfigValueKind(
            read: { value, key throws(ConfigError) in
                guard case .string(let text) = value, let address = HostPort(parsing: text) else {
                    throw .expected(key, "\"host:port\" such as \"node1.example:9000\"", got: value)
                }
                return address
            },
            write: { $0.map { .string($0.description) } ?? .null },
            environmentValue: optionalText)
    }
}

extension ConfigValueKind where Value == String? {
    /// A name of 1 to 64 letters, digits, `-`, `_` and `.`, or `null` for none.
    static var optionalName: Self {
        ConfigValueKind(
            read: { value, key throws(ConfigError) in
                guard case .string(let name) = value, (1...64).contains(name.utf8.count),
                    name.unicodeScalars.allSatisfy(isNameCharacter)
                else {
                    throw .expected(key, "1 to 64 letters, digits, '-', '_' or '.'", got: value)
                }
                return name
            },
            write: { $0.map(JSONValue.string) ?? .null },
            environmentValue: optionalText)
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": true
        default: false
        }
    }
}

extension ConfigValueKind where Value == String {
    /// An etcd key prefix: starts and ends with `/`, at most 128 characters.
    static var keyPrefix: Self {
        ConfigValueKind(
            read: { value, key throws(ConfigError) in
                guard case .string(let prefix) = value, prefix.hasPrefix("/"), prefix.hasSuffix("/"),
                    prefix.utf8.count <= 128, !prefix.unicodeScalars.contains(where: { $0.value < 0x20 })
                else {
                    throw .expected(
                        key, "a key prefix that starts and ends with '/', such as \"/sluice/\"", got: value)
                }
                return prefix
            },
            write: { .string($0) },
            environmentValue: text)
    }
}
