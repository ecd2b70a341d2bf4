/// One reader's result.
struct ReaderResult: Codable {
    /// Milliseconds from the reader's connection being established (the SRT handshake done, or
    /// the HTTP request written) to the first TS packet of a video keyframe; `nil` if none came.
    var firstKeyframeMs: Double?
    /// MPEG-TS bytes received.
    var bytes = 0
    /// Continuity counter gaps (see ``TransportStreamCheck/continuityErrors``).
    var continuityErrors = 0
    /// Losses of packet alignment.
    var syncErrors = 0
    /// How the reader ended: `running` (still reading when the run ended), `stream_ended` (a
    /// complete HTTP response, or the SRT connection closed by the server), `broken` (an HTTP
    /// response cut short) or `reset`.
    var end = "running"
}

/// What a run of readers received, printed as one JSON object.
struct ReadReport: Codable {
    var mode = "read"
    var transport: String
    var stream: String
    /// Readers asked for.
    var readers: Int
    /// Readers the server accepted (with `--reconnect`, each connection counts).
    var connected = 0
    /// Readers refused, by SRT reject code or HTTP status.
    var refused: [String: Int] = [:]
    /// Readers whose connection failed without an answer.
    var connectFailures = 0
    /// HTTP readers opened in place of ones that ended (`--reconnect`).
    var reconnects = 0
    var seconds = 0.0
    var bytes = 0
    var continuityErrors = 0
    var syncErrors = 0
    /// Connected readers that never received a keyframe packet.
    var withoutKeyframe = 0
    /// Time to the first keyframe packet over the readers that got one, in milliseconds.
    var firstKeyframeMsP50: Double?
    var firstKeyframeMsP99: Double?
    var firstKeyframeMsMax: Double?
    /// Readers by ``ReaderResult/end``.
    var ends: [String: Int] = [:]
    /// SRT readers' packets received, detected lost, and dropped as too late (libsrt's counts).
    var srtPacketsReceived: Int64 = 0
    var srtPacketsLost: Int64 = 0
    var srtPacketsDropped: Int64 = 0
    /// Every connected reader, in the order they joined.
    var perReader: [ReaderResult] = []

    init(transport: String, stream: String, readers: Int) {
        self.transport = transport
        self.stream = stream
        self.readers = readers
    }

    /// Fills in the totals from ``perReader``.
    mutating func summarize() {
        connected = perReader.count
        bytes = perReader.reduce(0) { $0 + $1.bytes }
        continuityErrors = perReader.reduce(0) { $0 + $1.continuityErrors }
        syncErrors = perReader.reduce(0) { $0 + $1.syncErrors }
        ends = perReader.reduce(into: [:]) { $0[$1.end, default: 0] += 1 }
        let times = perReader.compactMap(\.firstKeyframeMs).sorted()
        withoutKeyframe = perReader.count - times.count
        guard !times.isEmpty else { return }
        func quantile(_ q: Double) -> Double {
            times[min(times.count - 1, Int((Double(times.count) * q).rounded(.up)) - 1)]
        }
        firstKeyframeMsP50 = quantile(0.5)
        firstKeyframeMsP99 = quantile(0.99)
        firstKeyframeMsMax = times.last
    }
}

/// One reader's running tally: its stream check and result.
struct ReaderTally {
    var check = TransportStreamCheck()
    var result = ReaderResult()
    /// When its connection was established.
    var connectedAt = ContinuousClock.now

    /// Checks received bytes.
    mutating func receive(_ bytes: UnsafeRawBufferPointer) {
        result.bytes += bytes.count
        if check.feed(bytes) {
            result.firstKeyframeMs = milliseconds(ContinuousClock.now - connectedAt)
        }
    }

    /// The result, with the check's counts.
    var final: ReaderResult {
        var result = result
        result.continuityErrors = check.continuityErrors
        result.syncErrors = check.syncErrors
        return result
    }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) * 1e-15
}
