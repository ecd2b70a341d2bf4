import Foundation

/// One forward destination of one stream, as the admin API and the metrics show it.
public struct ForwardStatus: Sendable {
    /// The stream forwarded.
    public var stream: String
    /// The destination's URL, its passphrase redacted.
    public var destination: String
    /// Where the forwarder is.
    public var state: ForwardState
    /// When the current connection was made; `nil` unless connected.
    public var connectedSince: Date?
    /// Bytes handed to its connections to the destination, all of them together.
    public var bytesSent: Int
    /// Calls made after the first.
    public var reconnects: Int
    /// Why the last call failed or the last connection ended, if one did.
    public var lastError: String?
    /// The id of the forwarder's reader while connected, for `DELETE /api/readers/{id}`.
    public var readerID: UInt64?
}
