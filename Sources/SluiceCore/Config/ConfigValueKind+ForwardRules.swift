import Foundation

extension ConfigValueKind where Value == [ForwardRule] {
    /// The `forward` rules: an array of `{"match": PATTERN, "to": [URL, ...]}`, each URL a
    /// ``ForwardDestination``. An environment variable holds the same array as JSON text.
    static var forwardRules: Self {
        ConfigValueKind(
            read: { value, key throws(ConfigError) in
                guard case .array(let items) = value else {
                    throw .expected(
                        key, #"an array of rules such as [{"match": "live/**", "to": ["srt://host:9000"]}]"#,
                        got: value)
                }
                var rules: [ForwardRule] = []
                for (index, item) in items.enumerated() {
                    var object = try ConfigObject(item, path: "\(key)[\(index)]")
                    rules.append(try rule(reading: &object))
                }
                return rules
            },
            write: { written($0, url: \.url) },
            environmentValue: { text in
                text.isEmpty
                    ? .null
                    : (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
            },
            redact: { written($0, url: \.redacted) })
    }

    /// The rules as the file writes them, each destination as `url` gives it.
    private static func written(
        _ rules: [ForwardRule], url: (ForwardDestination) -> String
    ) -> JSONValue {
        .array(
            rules.map { rule in
                .object([
                    "match": .string(rule.pattern.text),
                    "to": .array(rule.destinations.map { .string(url($0)) }),
                ])
            })
    }

    private static func rule(reading object: inout ConfigObject) throws(ConfigError) -> ForwardRule {
        guard case .string(let pattern)? = object.value("match"), !pattern.isEmpty else {
            throw ConfigError(
                key: object.keyPath("match"), reason: "every forward rule needs a non-empty name pattern")
        }
        let to = object.keyPath("to")
        guard case .array(let urls)? = object.value("to"), !urls.isEmpty else {
            throw ConfigError(key: to, reason: "every forward rule needs an array of one or more srt:// URLs")
        }
        var destinations: [ForwardDestination] = []
        for (index, url) in urls.enumerated() {
            guard case .string(let text) = url else {
                throw .expected("\(to)[\(index)]", "an srt:// URL", got: url)
            }
            do {
                destinations.append(try ForwardDestination(parsing: text))
            } catch {
                throw ConfigError(key: "\(to)[\(index)]", reason: error.reason)
            }
        }
        try object.rejectUnknownKeys()
        return ForwardRule(pattern: NamePattern(pattern), destinations: destinations)
    }
}
