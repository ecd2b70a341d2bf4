import Foundation
import Testing

@testable import SluiceCore

@Suite struct ConfigTests {
    private func parse(_ json: String) throws(ConfigError) -> Config {
        try Config.parse(Data(json.utf8), environment: [:])
    }

    private func error(_ json: String) -> ConfigError? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error
        }
    }

    @Test func emptyDocumentGivesDefaults() throws {
        #expect(try parse("{}") == Config())
    }

    @Test func renderedDefaultsParseBackToDefaults() throws {
        #expect(try parse(Config().rendered()) == Config())
    }

    @Test func shippedConfigIsTheDefaults() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let config = try Config.load(
            path: root.appendingPathComponent("config/sluice.json").path, environment: [:])
        #expect(config == Config())
    }

    @Test func valuesAreRead() throws {
        let config = try parse(
            """
            {"srt": {"listen": "127.0.0.1:7000", "latency_ms": 300, "passphrase": "0123456789abc",
                     "pbkeylen": 32, "on_duplicate": "replace", "idle_timeout_ms": 1500, "max_streams": 8, "receive_buffer": "1.5MiB"},
             "buffer": {"max_duration_ms": 4000}}
            """)
        #expect(config.srt.listen == ListenAddress(host: "127.0.0.1", port: 7000))
        #expect(config.srt.latencyMilliseconds == 300)
        #expect(config.srt.passphrase == "0123456789abc")
        #expect(config.srt.keyLength == 32)
        #expect(config.srt.onDuplicate == .replace)
        #expect(config.srt.idleTimeoutMilliseconds == 1500)
        #expect(config.srt.maxStreams == 8)
        #expect(config.buffer.maxDurationMilliseconds == 4000)
        #expect(config.srt.receiveBuffer.bytes == 1_572_864)
    }

    @Test func clusterValuesAreRead() throws {
        let config = try parse(
            """
            {"cluster": {"etcd": {"endpoints": ["http://127.0.0.1:2379", "http://etcd-2.example:2379/"]},
                         "node_id": "node-a", "advertise_srt": "node-a.example:9000",
                         "advertise_http": "10.0.0.7:9464", "lease_ttl_ms": 3000, "prefix": "/x/"}}
            """)
        #expect(
            config.cluster.etcdEndpoints == [
                HTTPEndpoint(HostPort(host: "127.0.0.1", port: 2379)),
                HTTPEndpoint(HostPort(host: "etcd-2.example", port: 2379)),
            ])
        #expect(config.cluster.isEnabled)
        #expect(config.cluster.nodeID == "node-a")
        #expect(config.cluster.advertiseSRT == HostPort(host: "node-a.example", port: 9000))
        #expect(config.cluster.advertiseHTTP == HostPort(host: "10.0.0.7", port: 9464))
        #expect(config.cluster.leaseTTLMilliseconds == 3000)
        #expect(config.cluster.prefix == "/x/")
        #expect(try !parse(#"{"cluster": {"etcd": {"endpoints": []}}}"#).cluster.isEnabled)
        #expect(!Config().cluster.isEnabled)
    }

    @Test(arguments: [
        (#"{"srt": {"latncy_ms": 100}}"#, "srt.latncy_ms", "unknown key"),
        (#"{"bufer": {}}"#, "bufer", "unknown key"),
        (#"{"srt": {"latency_ms": "fast"}}"#, "srt.latency_ms", "expected an integer"),
        (#"{"srt": {"latency_ms": 1.5}}"#, "srt.latency_ms", "expected an integer"),
        (#"{"srt": {"passphrase": "short"}}"#, "srt.passphrase", "10 to 79"),
        (#"{"srt": {"pbkeylen": 20}}"#, "srt.pbkeylen", "16, 24 or 32"),
        (#"{"srt": {"on_duplicate": "kick"}}"#, "srt.on_duplicate", "\"reject\" or \"replace\""),
        (#"{"srt": {"listen": "9000"}}"#, "srt.listen", "IPv4:PORT"),
        (#"{"srt": {"listen": "1.2.3:9000"}}"#, "srt.listen", "IPv4:PORT"),
        (#"{"srt": []}"#, "srt", "expected an object"),
        (#"{"srt": {"receive_buffer": "lots"}}"#, "srt.receive_buffer", "expected a size"),
        (#"{"srt": {"receive_buffer": 10}}"#, "srt.receive_buffer", "from 64KiB"),
        (#"{"buffer": {"max_bytes": 10}}"#, "buffer.max_bytes", "unknown key"),
        (#"{"memory": {"global_limit": "lots"}}"#, "memory.global_limit", "expected a size"),
        (#"{"memory": {"global_limit": "1MiB"}}"#, "memory.global_limit", "from 16MiB"),
        (#"{"memory": {"soft": 0.9, "hard": 0.85}}"#, "memory.hard", "above memory.soft"),
        (#"{"memory": {"critical": 0.9}}"#, "memory.critical", "above memory.hard"),
        (#"{"memory": {"critical": 1.0}}"#, "memory.critical", "below 1"),
        (
            #"{"readers": {"max_lag_ms": 800, "http_write_interval_ms": 500}}"#,
            "readers.http_write_interval_ms",
            "at most half of readers.max_lag_ms"
        ),
        (#"{"memory": {"soft": 0}}"#, "memory.soft", "above 0"),
        (#"{"memory": {"soft": "high"}}"#, "memory.soft", "expected a number"),
        (#"{"memory": {"auto_fraction": 1.5}}"#, "memory.auto_fraction", "at most 1"),
        (
            #"{"memory": {"eviction_policy": "random"}}"#, "memory.eviction_policy",
            "\"priority\", \"size\" or \"lru\""
        ),
        (
            #"{"memory": {"refuse_new_streams_at": "none"}}"#, "memory.refuse_new_streams_at",
            "\"soft\", \"hard\""
        ),
        (#"{"memory": {"allocation_rate": {"burst": 5}}}"#, "memory.allocation_rate.burst", "unknown key"),
        (
            #"{"memory": {"allocation_rate": {"burst_bytes": 5}}}"#, "memory.allocation_rate.burst_bytes",
            "from 64KiB"
        ),
        (#"{"memory": {"per_stream_limit": "100KiB"}}"#, "memory.per_stream_limit", "from 1MiB"),
        (#"{"http": {"listen": "0.0.0.0:9464"}}"#, "http.admin_token", "not a loopback address"),
        (#"{"http": {"admin_token": "short"}}"#, "http.admin_token", "at least 16"),
        (#"{"http": {"listen": "everywhere"}}"#, "http.listen", "IPv4:PORT"),
        (#"{"http": {"port": 80}}"#, "http.port", "unknown key"),
        (#"{"streams": {}}"#, "streams", "expected an array"),
        (#"{"streams": [{"priority": 3}]}"#, "streams[0].match", "non-empty name pattern"),
        (
            #"{"streams": [{"match": "a"}, {"match": "b", "priorty": 3}]}"#, "streams[1].priorty",
            "unknown key"
        ),
        (#"{"streams": [{"match": "a", "priority": 5000}]}"#, "streams[0].priority", "from -1000 to 1000"),
        (#"{"buffer": {"max_duration_ms": -1}}"#, "buffer.max_duration_ms", "from 100"),
        (#"{"srt": {"idle_timeout_ms": true}}"#, "srt.idle_timeout_ms", "got true"),
        (#"{"cluster": {"etcd": {"endpoints": "http://a:2379"}}}"#, "cluster.etcd.endpoints", "an array"),
        (
            #"{"cluster": {"etcd": {"endpoints": ["http://a:2379", "https://b:2379"]}}}"#,
            "cluster.etcd.endpoints[1]", "http://10.0.0.1:2379"
        ),
        (#"{"cluster": {"etcd": {"endpoints": ["http://a:0"]}}}"#, "cluster.etcd.endpoints[0]", "got"),
        (#"{"cluster": {"etcd": {"endpont": []}}}"#, "cluster.etcd.endpont", "unknown key"),
        (#"{"cluster": {"node_id": "a/b"}}"#, "cluster.node_id", "letters, digits"),
        (#"{"cluster": {"advertise_srt": "node-a"}}"#, "cluster.advertise_srt", "host:port"),
        (#"{"cluster": {"advertise_http": "node a:80"}}"#, "cluster.advertise_http", "host:port"),
        (#"{"cluster": {"lease_ttl_ms": 500}}"#, "cluster.lease_ttl_ms", "from 1000"),
        (#"{"cluster": {"prefix": "sluice"}}"#, "cluster.prefix", "starts and ends with '/'"),
    ])
    func invalidValuesNameTheKey(json: String, key: String, reason: String) throws {
        let error = try #require(self.error(json))
        #expect(error.key == key)
        #expect(error.reason.contains(reason), "\(error.reason)")
        #expect(error.description.contains(key))
    }

    @Test func brokenJSONSaysSo() throws {
        let error = try #require(self.error(#"{"srt": "#))
        #expect(error.reason.contains("not valid JSON"))
        #expect(self.error("[1, 2]")?.reason.contains("top level") == true)
    }

    @Test func memoryAndStreamRulesAreRead() throws {
        let config = try parse(
            """
            {"memory": {"global_limit": "2GiB", "per_stream_limit": "100MiB", "soft": 0.7, "hard": 0.8,
                        "critical": 0.9, "eviction_policy": "size", "refuse_new_streams_at": "soft",
                        "allocation_rate": {"per_stream_bytes_per_second": 1000000}},
             "streams": [{"match": "live/premium/*", "priority": 10, "per_stream_limit": "800MiB"},
                         {"match": "**", "priority": -1}]}
            """)
        #expect(config.memory.globalLimit == .bytes(ByteSize(bytes: 2 << 30)))
        #expect(
            config.memory.thresholds
                == PressureThresholds(soft: 0.7, hard: 0.8, critical: 0.9, hysteresis: 0.02))
        #expect(config.memory.evictionPolicy == .size)
        #expect(config.memory.refuseNewStreamsAt == .soft)
        #expect(config.memory.allocationRate.perStreamBytesPerSecond == 1_000_000)
        #expect(
            config.memorySettings(for: "live/premium/cam1")
                == StreamMemorySettings(quota: 800 << 20, priority: 10))
        #expect(
            config.memorySettings(for: "live/premium/a/b")
                == StreamMemorySettings(quota: 100 << 20, priority: -1))
        #expect(config.memorySettings(for: "other") == StreamMemorySettings(quota: 100 << 20, priority: -1))
        #expect(try parse(config.rendered()) == config)
    }

    @Test func aNonLoopbackAdminAPIWithATokenIsAccepted() throws {
        let config = try parse(#"{"http": {"listen": "0.0.0.0:9464", "admin_token": "0123456789abcdef"}}"#)
        #expect(config.http.adminToken == "0123456789abcdef")
        #expect(!config.rendered().contains("0123456789abcdef"), "secrets are redacted")
    }

    @Test func reloadDiffsKeysAndKeepsRestartOnlyOnes() throws {
        let running = Config()
        var fresh = Config()
        fresh.memory.perStreamLimit = ByteSize(bytes: 100 << 20)
        fresh.srt.listen = ListenAddress(host: "127.0.0.1", port: 7000)
        fresh.streams = [StreamRule(pattern: "a/*", priority: 2)]
        #expect(fresh.changedKeys(from: running) == ["memory.per_stream_limit", "srt.listen", "streams"])
        let merged = fresh.keepingRestartOnlyKeys(of: running)
        #expect(merged.srt.listen == running.srt.listen)
        #expect(merged.memory.perStreamLimit == fresh.memory.perStreamLimit)
        #expect(merged.streams == fresh.streams)
    }

    @Test func renderingWritesTheShippedFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try String(
            contentsOf: root.appendingPathComponent("config/sluice.json"), encoding: .utf8)
        #expect(Config().rendered() + "\n" == shipped)
    }

    @Test func aChangedConfigurationSurvivesRenderingAndParsing() throws {
        let config = Config.everyKeyChanged
        #expect(try parse(config.rendered(redactingSecrets: false)) == config)
        let redacted = config.rendered()
        #expect(!redacted.contains("0123456789abcdef") && !redacted.contains(#""0123456789""#))
        #expect(!redacted.contains("forward-secret-1") && redacted.contains("passphrase=<redacted>"))
    }

    @Test func everyKeyOfTheShippedFileIsDiffed() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("config/sluice.json"))
        var shippedKeys: [String] = []
        func walk(_ value: JSONValue, _ path: String) {
            guard case .object(let fields) = value else { return shippedKeys.append(path) }
            for (key, field) in fields { walk(field, path.isEmpty ? key : "\(path).\(key)") }
        }
        walk(try JSONDecoder().decode(JSONValue.self, from: data), "")
        #expect(Config.everyKeyChanged.changedKeys(from: Config()) == shippedKeys.sorted())
    }

    @Test func reloadKeepsExactlyTheRestartOnlyKeys() {
        #expect(
            Config.restartOnlyKeys == [
                "srt.listen", "srt.latency_ms", "srt.passphrase", "srt.pbkeylen", "srt.receive_buffer",
                "srt.udp_receive_buffer", "srt.receive_threads", "srt.probe_concurrency", "http.listen",
                "memory.malloc_arena_max",
                "memory.malloc_mmap_threshold",
                "cluster.etcd.endpoints", "cluster.node_id", "cluster.advertise_srt",
                "cluster.advertise_http",
                "cluster.lease_ttl_ms", "cluster.prefix",
            ])
        let running = Config()
        let fresh = Config.everyKeyChanged
        let merged = fresh.keepingRestartOnlyKeys(of: running)
        #expect(merged.changedKeys(from: fresh) == Config.restartOnlyKeys.sorted())
        #expect(
            merged.changedKeys(from: running)
                == fresh.changedKeys(from: running).filter { !Config.restartOnlyKeys.contains($0) })
    }

    @Test func patternsMatchBySegment() {
        #expect(StreamRule(pattern: "live/*").matches("live/cam1"))
        #expect(!StreamRule(pattern: "live/*").matches("live/a/b"))
        #expect(StreamRule(pattern: "live/**").matches("live/a/b"))
        #expect(StreamRule(pattern: "live/cam?").matches("live/cam7"))
        #expect(!StreamRule(pattern: "live/cam?").matches("live/cam77"))
        #expect(StreamRule(pattern: "*/main").matches("studio/main"))
        #expect(!StreamRule(pattern: "live").matches("live/x"))
    }

    @Test func sizesParse() {
        #expect(ByteSize(parsing: "400MiB")?.bytes == 400 << 20)
        #expect(ByteSize(parsing: "2GiB")?.bytes == 2 << 30)
        #expect(ByteSize(parsing: "500MB")?.bytes == 500_000_000)
        #expect(ByteSize(parsing: " 12 KiB ")?.bytes == 12 << 10)
        #expect(ByteSize(parsing: "1024")?.bytes == 1024)
        #expect(ByteSize(parsing: "-1MiB") == nil)
        #expect(ByteSize(parsing: "MiB") == nil)
        #expect(ByteSize(parsing: "99999999999TiB") == nil)
        #expect(ByteSize(bytes: 400 << 20).description == "400MiB")
    }
}
