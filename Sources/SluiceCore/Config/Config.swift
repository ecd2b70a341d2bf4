/// What to do when a publisher names a stream that is already live.
public enum DuplicatePolicy: String, Sendable, CaseIterable, Hashable {
    /// Refuse the newcomer in the handshake (reject code 1409).
    case reject
    /// Disconnect the live publisher and hand the name to the newcomer.
    case replace
}

/// Sluice's configuration. Every key has a default; `config/sluice.json` writes them all out.
public struct Config: Sendable, Equatable {
    /// The SRT listener.
    public var srt: SRT
    /// The per-stream frame buffers.
    public var buffer: Buffer
    /// The HTTP port: metrics and the admin API.
    public var http: HTTP
    /// The memory controller.
    public var memory: MemoryConfig
    /// Live readers (SRT and HTTP-TS playback): lag bounds and limits.
    public var readers: Readers
    /// Several nodes sharing stream ownership through etcd; none configured, a single node.
    public var cluster: ClusterConfig
    /// Per-stream overrides of quota and priority, by name pattern; the first match applies.
    public var streams: [StreamRule]
    /// `forward`: streams published on to other SRT listeners, by name pattern; every matching
    /// rule applies.
    public var forward: [ForwardRule]

    /// The SRT listener's settings (`srt.*`).
    public struct SRT: Sendable, Equatable {
        /// `srt.listen`: where to accept callers.
        public var listen = ListenAddress(host: "0.0.0.0", port: 9000)
        /// `srt.latency_ms`: the SRT receiver latency.
        public var latencyMilliseconds = 120
        /// `srt.passphrase`: when set, callers must encrypt with it.
        public var passphrase: String?
        /// `srt.read_passphrase`: when set, readers (`m=request`) must encrypt with it instead of
        /// `srt.passphrase`, so publishers and viewers need not share a secret. Unset, readers use
        /// `srt.passphrase` like publishers.
        public var readPassphrase: String?
        /// The passphrase a reader must use: `srt.read_passphrase`, else `srt.passphrase`.
        public var readerPassphrase: String? { readPassphrase ?? passphrase }
        /// `srt.pbkeylen`: the AES key length in bytes (16, 24 or 32) used with a passphrase.
        public var keyLength = 16
        /// `srt.on_duplicate`: what a second publisher on a live name gets.
        public var onDuplicate = DuplicatePolicy.reject
        /// `srt.idle_timeout_ms`: a publisher that sends nothing for this long is dropped.
        public var idleTimeoutMilliseconds = 5000
        /// `srt.probe_timeout_ms`: a publisher whose bytes have not shown a video stream by then
        /// is disconnected (`not_a_stream`).
        public var probeTimeoutMilliseconds = 5000
        /// `srt.max_streams`: the most publishers live at once.
        public var maxStreams = 256
        /// `srt.receive_buffer`: libsrt's receive buffer per connection (`SRTO_RCVBUF`). It must
        /// hold bitrate/8 x (RTT + latency): 8 MiB covers 20 Mbit/s with 3 s of both.
        public var receiveBuffer = ByteSize(bytes: 8 << 20)
        /// `srt.udp_receive_buffer`: the kernel receive buffer of the UDP socket every
        /// connection arrives through (`SRTO_UDP_RCVBUF`, capped by `net.core.rmem_max`).
        public var udpReceiveBuffer = ByteSize(bytes: 4 << 20)
        /// `srt.receive_threads`: how many SRT listeners share `srt.listen` (through
        /// `SO_REUSEPORT`), each with its own libsrt receive thread. One receive thread serves
        /// every connection of its listener and saturates near 1.2 Gbit/s whatever the cores.
        public var receiveThreads = ThreadCount.auto
        /// `srt.receive_saturation`: the busiest receive thread's share of a core past which
        /// new publishers are refused (1402, `receive_capacity`), so the live ones keep flowing.
        public var receiveSaturation = 0.85
        /// `srt.probe_concurrency`: how many streams may probe their codecs at once (see
        /// ``ProbeGate``), so that hundreds of publishers starting together leave the cores to
        /// libsrt and to the streams already live.
        public var probeConcurrency = ThreadCount.auto

        /// The defaults.
        public init() {}
    }

    /// The HTTP port's settings (`http.*`).
    public struct HTTP: Sendable, Equatable {
        /// `http.listen`: where `/metrics` and the admin API are served.
        public var listen = ListenAddress(host: "127.0.0.1", port: 9464)
        /// `http.admin_token`: when set, mutating endpoints need `Authorization: Bearer <token>`.
        /// Required when `http.listen` is not a loopback address.
        public var adminToken: String?
        /// `http.read_token`: when set, HTTP-TS readers need `Authorization: Bearer <token>` or
        /// `?token=<token>`.
        public var readToken: String?

        /// The defaults.
        public init() {}
    }

    /// The per-stream buffer's settings (`buffer.*`).
    public struct Buffer: Sendable, Equatable {
        /// `buffer.max_duration_ms`: the span of recent media each stream keeps.
        public var maxDurationMilliseconds = 10_000

        /// The defaults.
        public init() {}

        /// The limits a stream's ``GOPBuffer`` works within.
        public var limits: BufferLimits {
            BufferLimits(maxDuration: Int64(maxDurationMilliseconds) * 1000)
        }
    }

    /// The live readers' settings (`readers.*`).
    public struct Readers: Sendable, Equatable {
        /// `readers.max_lag_ms`: how far behind the live edge, in media time, a reader may fall
        /// (at least one GOP) before it is moved to the newest keyframe.
        public var maxLagMilliseconds = 2000
        /// `readers.max_lag_bytes`: how many bytes of output a reader may leave unsent before it
        /// is moved to the newest keyframe.
        public var maxLagBytes = ByteSize(bytes: 4 << 20)
        /// `readers.max_skips`: a reader moved forward more often than this within
        /// ``ReaderLagPolicy/skipWindow`` is disconnected.
        public var maxSkips = 3
        /// `readers.max_per_stream`: the most readers one stream may have.
        public var maxPerStream = 200
        /// `readers.max_total`: the most readers the server serves at once.
        public var maxTotal = 2000
        /// `readers.http_write_interval_ms`: how long an HTTP reader that has caught up with the
        /// live edge gathers output before its next write. Fewer, larger writes cost a fraction
        /// of the CPU of one write per frame; players buffer far more than this. 0 writes every
        /// frame as it comes.
        public var httpWriteIntervalMilliseconds = 500

        /// The defaults.
        public init() {}
    }

    /// The defaults.
    public init() {
        srt = SRT()
        buffer = Buffer()
        http = HTTP()
        memory = MemoryConfig()
        readers = Readers()
        cluster = ClusterConfig()
        streams = []
        forward = []
    }
}
