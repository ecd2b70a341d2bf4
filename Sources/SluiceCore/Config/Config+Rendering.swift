extension Config {
    /// The configuration as a JSON document with every key written out and secrets redacted,
    /// in the layout of `config/sluice.json`.
    public func rendered(redactingSecrets: Bool = true) -> String {
        func string(_ value: String?) -> String {
            guard let value else { return "null" }
            var escaped = ""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case _ where scalar.value < 0x20:
                    escaped +=
                        "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return "\"\(escaped)\""
        }
        let passphrase = srt.passphrase.map { redactingSecrets ? "<redacted>" : $0 }
        return """
            {
              "srt": {
                "listen": \(string(srt.listen.description)),
                "latency_ms": \(srt.latencyMilliseconds),
                "passphrase": \(string(passphrase)),
                "pbkeylen": \(srt.keyLength),
                "on_duplicate": \(string(srt.onDuplicate.rawValue)),
                "idle_timeout_ms": \(srt.idleTimeoutMilliseconds),
                "max_streams": \(srt.maxStreams)
              },
              "buffer": {
                "max_duration_ms": \(buffer.maxDurationMilliseconds),
                "max_bytes": \(string(buffer.maxBytes.description))
              }
            }
            """
    }
}
