/// One reader as the admin API shows it.
public struct ReaderStatus: Sendable {
    /// The reader's id, for `DELETE /api/readers/{id}`.
    public var id: UInt64
    /// The stream it reads.
    public var stream: String
    /// How it receives.
    public var protocolName: ReaderProtocol
    /// Its address as `host:port`.
    public var peer: String
    /// Seconds since it started.
    public var uptimeSeconds: Double
    /// Bytes handed to its transport.
    public var bytesSent: Int
    /// How far behind the live edge it was at its last read, in seconds of media.
    public var lagSeconds: Double
    /// How far behind the live edge it was at its last read, in bytes.
    public var lagBytes: Int
    /// Times it was moved forward to the newest keyframe.
    public var skips: Int
    /// Bytes its transport holds, handed to the connection and not yet sent (HTTP readers;
    /// part of the stream's `readers` memory component).
    public var queuedBytes: Int
}
