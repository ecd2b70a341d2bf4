extension Config {
    /// Every key of the configuration but the `streams` rules, in the order
    /// `config/sluice.json` writes them. The README's table documents the same keys.
    static let keys: [ConfigKey] = [
        ConfigKey("srt.listen", \.srt.listen, .address, restartOnly: true),
        ConfigKey("srt.latency_ms", \.srt.latencyMilliseconds, .integer(in: 0...60_000), restartOnly: true),
        // libsrt's limits on a passphrase, in bytes.
        ConfigKey(
            "srt.passphrase", \.srt.passphrase, .optionalString(length: 10...79), restartOnly: true,
            secret: true),
        // Set on each reader's socket in the handshake, so a reload applies to the next reader.
        ConfigKey(
            "srt.read_passphrase", \.srt.readPassphrase, .optionalString(length: 10...79), secret: true),
        ConfigKey("srt.pbkeylen", \.srt.keyLength, .integer(oneOf: [16, 24, 32]), restartOnly: true),
        ConfigKey("srt.on_duplicate", \.srt.onDuplicate, .choice(DuplicatePolicy.self)),
        ConfigKey("srt.idle_timeout_ms", \.srt.idleTimeoutMilliseconds, .integer(in: 100...3_600_000)),
        ConfigKey("srt.probe_timeout_ms", \.srt.probeTimeoutMilliseconds, .integer(in: 100...60_000)),
        ConfigKey("srt.max_streams", \.srt.maxStreams, .integer(in: 1...100_000)),
        ConfigKey(
            "srt.receive_buffer", \.srt.receiveBuffer, .size(in: (64 << 10)...(1 << 30)), restartOnly: true),
        ConfigKey(
            "srt.udp_receive_buffer", \.srt.udpReceiveBuffer, .size(in: (64 << 10)...(1 << 30)),
            restartOnly: true),
        ConfigKey("srt.receive_threads", \.srt.receiveThreads, .threadCount(in: 1...64), restartOnly: true),
        ConfigKey("srt.receive_saturation", \.srt.receiveSaturation, .fraction(above: 0, upTo: 1)),
        ConfigKey(
            "srt.probe_concurrency", \.srt.probeConcurrency, .threadCount(in: 1...1024), restartOnly: true),

        ConfigKey("buffer.max_duration_ms", \.buffer.maxDurationMilliseconds, .integer(in: 100...3_600_000)),

        ConfigKey("http.listen", \.http.listen, .address, restartOnly: true),
        ConfigKey("http.admin_token", \.http.adminToken, .optionalString(length: 16...Int.max), secret: true),
        ConfigKey("http.read_token", \.http.readToken, .optionalString(length: 16...Int.max), secret: true),

        ConfigKey("readers.max_lag_ms", \.readers.maxLagMilliseconds, .integer(in: 100...600_000)),
        ConfigKey("readers.max_lag_bytes", \.readers.maxLagBytes, .size(in: (64 << 10)...(1 << 34))),
        ConfigKey("readers.max_skips", \.readers.maxSkips, .integer(in: 0...1000)),
        ConfigKey("readers.max_per_stream", \.readers.maxPerStream, .integer(in: 0...100_000)),
        ConfigKey("readers.max_total", \.readers.maxTotal, .integer(in: 0...1_000_000)),
        ConfigKey(
            "readers.http_write_interval_ms", \.readers.httpWriteIntervalMilliseconds, .integer(in: 0...1000)),

        ConfigKey("memory.global_limit", \.memory.globalLimit, .globalLimit(in: (16 << 20)...(1 << 50))),
        ConfigKey("memory.auto_fraction", \.memory.autoFraction, .fraction(above: 0, upTo: 1)),
        ConfigKey("memory.per_stream_limit", \.memory.perStreamLimit, .size(in: (1 << 20)...(1 << 44))),
        ConfigKey("memory.soft", \.memory.soft, .fraction(above: 0, below: 1)),
        ConfigKey("memory.hard", \.memory.hard, .fraction(above: 0, below: 1)),
        ConfigKey("memory.critical", \.memory.critical, .fraction(above: 0, below: 1)),
        ConfigKey("memory.hysteresis", \.memory.hysteresis, .fraction(from: 0, below: 1)),
        ConfigKey(
            "memory.monitor_interval_ms", \.memory.monitorIntervalMilliseconds, .integer(in: 10...10_000)),
        ConfigKey("memory.shed_after_ms", \.memory.shedAfterMilliseconds, .integer(in: 0...600_000)),
        ConfigKey("memory.eviction_policy", \.memory.evictionPolicy, .choice(EvictionPolicyKind.self)),
        ConfigKey(
            "memory.refuse_new_streams_at", \.memory.refuseNewStreamsAt,
            .choice([PressureLevel.soft, .hard, .critical].map { ($0.description, $0) })),
        ConfigKey("memory.stream_estimate", \.memory.streamEstimate, .size(in: (64 << 10)...(1 << 44))),
        ConfigKey(
            "memory.malloc_arena_max", \.memory.mallocArenaMax, .integer(in: 0...256), restartOnly: true),
        ConfigKey(
            "memory.malloc_mmap_threshold", \.memory.mallocMmapThreshold, .size(in: 0...(32 << 20)),
            restartOnly: true),
        ConfigKey(
            "memory.allocation_rate.per_stream_bytes_per_second",
            \.memory.allocationRate.perStreamBytesPerSecond, .integer(in: 1_000...(1 << 40))),
        ConfigKey(
            "memory.allocation_rate.global_bytes_per_second", \.memory.allocationRate.globalBytesPerSecond,
            .integer(in: 1_000...(1 << 40))),
        ConfigKey(
            "memory.allocation_rate.burst_bytes", \.memory.allocationRate.burstBytes,
            .size(in: (64 << 10)...(1 << 40))),

        // Forwarders start, stop and restart on reload: nothing of it is bound at start.
        ConfigKey("forward", \.forward, .forwardRules),
        // Joining or leaving a cluster, or moving to another one, takes a restart: the lease,
        // the claims and the watch are set up once.
        ConfigKey("cluster.etcd.endpoints", \.cluster.etcdEndpoints, .endpointList, restartOnly: true),
        ConfigKey("cluster.node_id", \.cluster.nodeID, .optionalName, restartOnly: true),
        ConfigKey("cluster.advertise_srt", \.cluster.advertiseSRT, .optionalHostPort, restartOnly: true),
        ConfigKey("cluster.advertise_http", \.cluster.advertiseHTTP, .optionalHostPort, restartOnly: true),
        ConfigKey(
            "cluster.lease_ttl_ms", \.cluster.leaseTTLMilliseconds, .integer(in: 1000...300_000),
            restartOnly: true),
        ConfigKey("cluster.prefix", \.cluster.prefix, .keyPrefix, restartOnly: true),
    ]

    /// The table's keys by path.
    static let keysByPath = Dictionary(uniqueKeysWithValues: keys.map { ($0.path, $0) })

    /// The names directly inside the object at `path` (`""` for the top level), in table
    /// order: keys, and the sections that hold keys.
    /// - Parameter path: A section's key path.
    static func names(in path: String) -> [String] {
        let prefix = path.isEmpty ? "" : path + "."
        var names: [String] = []
        for key in keys where key.path.hasPrefix(prefix) {
            let name = String(key.path.dropFirst(prefix.count).prefix { $0 != "." })
            if names.last != name { names.append(name) }
        }
        return names
    }
}
