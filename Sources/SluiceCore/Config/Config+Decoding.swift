import Foundation

extension Config {
    /// Reads and validates a configuration file.
    /// - Parameter path: The file's path.
    /// - Throws: ``ConfigError`` naming the key and the reason.
    public static func load(path: String) throws(ConfigError) -> Config {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(key: "", reason: "cannot read the file '\(path)'")
        }
        return try parse(data)
    }

    /// Parses and validates a configuration document.
    /// - Parameter data: The JSON text.
    /// - Throws: ``ConfigError`` naming the key and the reason.
    public static func parse(_ data: Data) throws(ConfigError) -> Config {
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
        var srt = try root.object("srt")
        config.srt = try SRT(reading: &srt)
        var buffer = try root.object("buffer")
        config.buffer = try Buffer(reading: &buffer)
        try root.rejectUnknownKeys()
        return config
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey]
            return (underlying as? String) ?? context.debugDescription
        }
        return String(describing: error)
    }
}

extension Config.SRT {
    init(reading object: inout ConfigObject) throws(ConfigError) {
        self.init()
        let listenText = try object.string("listen", default: listen.description)!
        guard let address = ListenAddress(parsing: listenText) else {
            throw ConfigError(
                key: object.keyPath("listen"),
                reason: "expected \"IPv4:PORT\" such as \"0.0.0.0:9000\", got \"\(listenText)\"")
        }
        listen = address
        latencyMilliseconds = try object.integer("latency_ms", default: latencyMilliseconds, in: 0...60_000)
        passphrase = try object.string("passphrase", default: nil)
        if let passphrase, !(10...79).contains(passphrase.utf8.count) {
            throw ConfigError(
                key: object.keyPath("passphrase"),
                reason: "must be 10 to 79 characters, got \(passphrase.utf8.count)")
        }
        keyLength = try object.integer("pbkeylen", default: keyLength, in: 16...32)
        guard [16, 24, 32].contains(keyLength) else {
            throw ConfigError(
                key: object.keyPath("pbkeylen"), reason: "expected 16, 24 or 32, got \(keyLength)")
        }
        onDuplicate = try object.choice("on_duplicate", default: onDuplicate)
        idleTimeoutMilliseconds = try object.integer(
            "idle_timeout_ms", default: idleTimeoutMilliseconds, in: 100...3_600_000)
        maxStreams = try object.integer("max_streams", default: maxStreams, in: 1...100_000)
        try object.rejectUnknownKeys()
    }
}

extension Config.Buffer {
    init(reading object: inout ConfigObject) throws(ConfigError) {
        self.init()
        maxDurationMilliseconds = try object.integer(
            "max_duration_ms", default: maxDurationMilliseconds, in: 100...3_600_000)
        maxBytes = try object.size("max_bytes", default: maxBytes, in: (64 << 10)...(1 << 40))
        try object.rejectUnknownKeys()
    }
}
