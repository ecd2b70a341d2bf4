/// What a floor run received and what it cost, printed as one JSON object.
struct FloorReport: Codable {
    /// Callers accepted.
    var connections: Int
    /// Payload bytes received and discarded (sent, with `--send`).
    var bytes: Int
    /// Live-mode messages received (sent, with `--send`).
    var messages: Int
    /// With `--send`: messages not sent because a caller's send buffer was full.
    var messagesUnsent: Int
    /// How long the run lasted.
    var seconds: Double
    /// The process's user and system CPU time.
    var cpuSeconds: Double
    /// The most threads the process had, libsrt's included (sampled about every 100 ms).
    var threads: Int
    /// Receiving: how late the median message and the 99th percentile were read after libsrt
    /// made them available (their play time), in milliseconds.
    var deliveryDelayP50Milliseconds: Double?
    var deliveryDelayP99Milliseconds: Double?
    /// The process's peak resident memory.
    var peakResidentBytes: Int
}
