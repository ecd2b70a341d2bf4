import CSRT

/// A failed libsrt call.
public struct SRTError: Error, Sendable, CustomStringConvertible {
    /// libsrt's error code (`SRT_ERRNO`).
    public var code: Int32
    /// libsrt's text for it, or ours.
    public var message: String
    /// The reason the peer gave for refusing the connection, when it did.
    public var rejection: RejectReason?

    /// Creates an error.
    /// - Parameters:
    ///   - code: libsrt's error code.
    ///   - message: A description.
    ///   - rejection: The peer's reject reason, for refused connections.
    public init(code: Int32, message: String, rejection: RejectReason? = nil) {
        self.code = code
        self.message = message
        self.rejection = rejection
    }

    public var description: String {
        if let rejection { return "\(message) (rejected: \(rejection))" }
        return message
    }

    /// Whether a receive gave up because its timeout passed (no data yet; try again).
    var isTimeout: Bool {
        code == Int32(SRT_EASYNCRCV.rawValue) || code == Int32(SRT_ETIMEOUT.rawValue)
    }
}
