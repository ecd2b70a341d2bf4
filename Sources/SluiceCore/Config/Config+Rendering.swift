extension Config {
    /// The configuration as a JSON document with every key written out, in the layout of
    /// `config/sluice.json` (the table's order).
    /// - Parameter redactingSecrets: Whether secrets are written as `"<redacted>"`.
    public func rendered(redactingSecrets: Bool = true) -> String {
        rendered(section: "", indent: "", redactingSecrets: redactingSecrets)
    }

    private func rendered(section path: String, indent: String, redactingSecrets: Bool) -> String {
        let inner = indent + "  "
        var lines: [String] = []
        for name in Self.names(in: path) {
            let keyPath = path.isEmpty ? name : "\(path).\(name)"
            let text: String
            if let key = Self.keysByPath[keyPath] {
                text = (redactingSecrets ? key.redactedValue(in: self) : key.value(in: self)).jsonText
            } else {
                text = rendered(section: keyPath, indent: inner, redactingSecrets: redactingSecrets)
            }
            lines.append("\(inner)\(JSONValue.string(name).jsonText): \(text)")
        }
        if path.isEmpty {
            lines.append("\(inner)\"streams\": \(renderedStreams(indent: inner))")
        }
        return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
    }

    /// The stream rules, one to a line.
    private func renderedStreams(indent: String) -> String {
        guard !streams.isEmpty else { return "[]" }
        let rules = streams.map { rule in
            var fields: [String: JSONValue] = [
                "match": .string(rule.pattern), "priority": .integer(Int64(rule.priority)),
            ]
            fields["per_stream_limit"] = rule.perStreamLimit.map { .string($0.description) }
            return "\(indent)  " + JSONValue.object(fields).jsonText
        }
        return "[\n" + rules.joined(separator: ",\n") + "\n\(indent)]"
    }
}
