/// How one kind of configuration value is read, checked and written: the same rules serve the
/// JSON file and the environment, so a value means the same wherever it is set.
struct ConfigValueKind<Value: Sendable & Equatable>: Sendable {
    /// Reads a value that is present and not `null`, or fails naming `key` and what is allowed.
    let read: @Sendable (_ value: JSONValue, _ key: String) throws(ConfigError) -> Value
    /// The value as it is written in the file.
    let write: @Sendable (Value) -> JSONValue
    /// The JSON an environment variable's text stands for.
    let environmentValue: @Sendable (String) -> JSONValue
    /// The value as it is shown, with the secrets inside it hidden; `nil` when it holds none.
    var redact: (@Sendable (Value) -> JSONValue)? = nil

    /// Text that looks like a number is that number, as it would be written in JSON; anything
    /// else is a string, so sizes read `2GiB` and `1048576` alike and a mistyped number is
    /// reported with the text that was given.
    static func numberOrText(_ text: String) -> JSONValue {
        if let integer = Int64(text) { return .integer(integer) }
        if let number = Double(text), number.isFinite { return .number(number) }
        return .string(text)
    }

    /// Text is always a string, even when it looks like a number (a passphrase of digits).
    static func text(_ text: String) -> JSONValue { .string(text) }

    /// Text is a string, and empty text is `null`: the way to unset an optional string.
    static func optionalText(_ text: String) -> JSONValue { text.isEmpty ? .null : .string(text) }
}

extension ConfigError {
    /// The error for a value outside what its key allows.
    /// - Parameters:
    ///   - key: The key, as the reader names it.
    ///   - expected: What is allowed, such as `an integer from 0 to 60000`.
    ///   - value: What was found.
    static func expected(_ key: String, _ expected: String, got value: JSONValue) -> ConfigError {
        ConfigError(key: key, reason: "expected \(expected), got \(value)")
    }
}
