import Foundation
import Logging

/// Writes one `key=value` line per event to standard error (logfmt), so that every connect,
/// refusal, live stream and disconnect is both readable and greppable by field. Events are
/// written by ``LogLineWriter`` on a thread of its own, never by the thread that logs.
///
/// Messages, keys and values may carry what callers sent (stream ids, peers' text), so no
/// control character is written as is: a newline would forge a line, and an escape sequence
/// would rewrite the terminal of whoever reads the log.
struct LogfmtLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let label: String

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        LogLineWriter.standardError.write(
            .init(
                time: Date(), level: event.level, message: event.message.description,
                fields: merged.mapValues { "\($0)" }))
    }

    /// One event as a logfmt line, fields sorted by key, ending in a newline.
    static func line(timestamp: String, level: Logger.Level, message: String, fields: [String: String])
        -> String
    {
        var line = "ts=\(timestamp) level=\(level) msg=\(quote(message))"
        for key in fields.keys.sorted() {
            line += " \(self.key(key))=\(quote(fields[key]!))"
        }
        return line + "\n"
    }

    /// A key as logfmt allows it, unquoted: characters that would end it become `_`, control
    /// characters are escaped.
    private static func key(_ key: String) -> String {
        var escaped = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case " ", "=", "\"": escaped += "_"
            case _ where isControl(scalar): escaped += unicodeEscape(scalar)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped.isEmpty ? "_" : escaped
    }

    /// A value bare when it can be, else quoted with `\`, `"` and every control character
    /// (C0, DEL, C1) escaped.
    private static func quote(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                $0.value > 32 && $0.value < 127 && $0 != "\"" && $0 != "=" && $0 != "\\"
            }
        if plain { return value }
        var escaped = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where isControl(scalar): escaped += unicodeEscape(scalar)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control
    }

    /// `\u001b` for ESC.
    private static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
