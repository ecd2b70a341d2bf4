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
        var http = try root.object("http")
        config.http = try HTTP(reading: &http)
        var memory = try root.object("memory")
        config.memory = try MemoryConfig(reading: &memory)
        config.streams = try root.objects("streams").map { object throws(ConfigError) in
            var object = object
            return try StreamRule(reading: &object)
        }
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
        listen = try object.address("listen", default: listen)
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
        receiveBuffer = try object.size("receive_buffer", default: receiveBuffer, in: (64 << 10)...(1 << 30))
        udpReceiveBuffer = try object.size(
            "udp_receive_buffer", default: udpReceiveBuffer, in: (64 << 10)...(1 << 30))
        try object.rejectUnknownKeys()
    }
}

extension Config.HTTP {
    init(reading object: inout ConfigObject) throws(ConfigError) {
        self.init()
        listen = try object.address("listen", default: listen)
        adminToken = try object.string("admin_token", default: nil)
        if let adminToken, adminToken.count < 16 {
            throw ConfigError(
                key: object.keyPath("admin_token"),
                reason: "must be at least 16 characters, got \(adminToken.count)")
        }
        if !listen.isLoopback && adminToken == nil {
            throw ConfigError(
                key: object.keyPath("admin_token"),
                reason:
                    "required when http.listen (\(listen)) is not a loopback address: the admin API can disconnect streams"
            )
        }
        try object.rejectUnknownKeys()
    }
}

extension Config.Buffer {
    init(reading object: inout ConfigObject) throws(ConfigError) {
        self.init()
        maxDurationMilliseconds = try object.integer(
            "max_duration_ms", default: maxDurationMilliseconds, in: 100...3_600_000)
        try object.rejectUnknownKeys()
    }
}

extension MemoryConfig {
    init(reading object: inout ConfigObject) throws(ConfigError) {
        self.init()
        switch object.value("global_limit") {
        case nil, .string("auto")?:
            globalLimit = .auto
        case .some:
            globalLimit = .bytes(
                try object.size("global_limit", default: ByteSize(bytes: 0), in: (16 << 20)...(1 << 50)))
        }
        autoFraction = try object.fraction("auto_fraction", default: autoFraction, above: 0, upTo: 1)
        perStreamLimit = try object.size(
            "per_stream_limit", default: perStreamLimit, in: (1 << 20)...(1 << 44))
        soft = try object.fraction("soft", default: soft, above: 0, below: 1)
        hard = try object.fraction("hard", default: hard, above: 0, below: 1)
        critical = try object.fraction("critical", default: critical, above: 0, below: 1)
        guard soft < hard else {
            throw ConfigError(
                key: object.keyPath("hard"), reason: "must be above memory.soft (\(soft)), got \(hard)")
        }
        guard hard < critical else {
            throw ConfigError(
                key: object.keyPath("critical"),
                reason: "must be above memory.hard (\(hard)), got \(critical)")
        }
        hysteresis = try object.fraction("hysteresis", default: hysteresis, above: -1e-12, below: soft)
        monitorIntervalMilliseconds = try object.integer(
            "monitor_interval_ms", default: monitorIntervalMilliseconds, in: 10...10_000)
        shedAfterMilliseconds = try object.integer(
            "shed_after_ms", default: shedAfterMilliseconds, in: 0...600_000)
        evictionPolicy = try object.choice("eviction_policy", default: evictionPolicy)
        let levelName = try object.string("refuse_new_streams_at", default: refuseNewStreamsAt.description)!
        guard let level = PressureLevel(name: levelName), level != .none else {
            throw ConfigError(
                key: object.keyPath("refuse_new_streams_at"),
                reason: "expected \"soft\", \"hard\" or \"critical\", got \"\(levelName)\"")
        }
        refuseNewStreamsAt = level
        streamEstimate = try object.size(
            "stream_estimate", default: streamEstimate, in: (64 << 10)...(1 << 44))
        mallocArenaMax = try object.integer("malloc_arena_max", default: mallocArenaMax, in: 0...256)
        var rate = try object.object("allocation_rate")
        allocationRate.perStreamBytesPerSecond = try rate.integer(
            "per_stream_bytes_per_second", default: allocationRate.perStreamBytesPerSecond,
            in: 1_000...(1 << 40))
        allocationRate.globalBytesPerSecond = try rate.integer(
            "global_bytes_per_second", default: allocationRate.globalBytesPerSecond, in: 1_000...(1 << 40))
        allocationRate.burstBytes = try rate.size(
            "burst_bytes", default: allocationRate.burstBytes, in: (64 << 10)...(1 << 40))
        try rate.rejectUnknownKeys()
        try object.rejectUnknownKeys()
    }
}

extension StreamRule {
    init(reading object: inout ConfigObject) throws(ConfigError) {
        guard let pattern = try object.string("match", default: nil), !pattern.isEmpty else {
            throw ConfigError(
                key: object.keyPath("match"), reason: "every stream rule needs a non-empty name pattern")
        }
        self.init(pattern: pattern)
        if object.value("per_stream_limit") != nil {
            perStreamLimit = try object.size(
                "per_stream_limit", default: ByteSize(bytes: 0), in: (1 << 20)...(1 << 44))
        }
        priority = try object.integer("priority", default: 0, in: -1000...1000)
        try object.rejectUnknownKeys()
    }
}
