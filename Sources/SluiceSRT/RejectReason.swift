import CSRT

/// Why a listener refused a caller in the SRT handshake: an application-defined code from the
/// SRT access-control specification (`SRT_REJX_*`), or one of libsrt's own.
public struct RejectReason: Sendable, Hashable, CustomStringConvertible {
    /// The numeric code as `srt_setrejectreason` takes it and `srt_getrejectreason` reports it.
    public var code: Int32

    /// Wraps a numeric code.
    /// - Parameter code: The reject code.
    public init(code: Int32) { self.code = code }

    /// 1400: the stream id or request is malformed.
    public static let badRequest = RejectReason(code: SRT_REJX_BAD_REQUEST)
    /// 1401: credentials missing or wrong.
    public static let unauthorized = RejectReason(code: SRT_REJX_UNAUTHORIZED)
    /// 1402: the server is overloaded.
    public static let overload = RejectReason(code: SRT_REJX_OVERLOAD)
    /// 1403: not allowed.
    public static let forbidden = RejectReason(code: SRT_REJX_FORBIDDEN)
    /// 1404: no such resource.
    public static let notFound = RejectReason(code: SRT_REJX_NOTFOUND)
    /// 1405: the mode (`m=`) is not supported.
    public static let badMode = RejectReason(code: SRT_REJX_BAD_MODE)
    /// 1406: the request's parameters cannot be met.
    public static let unacceptable = RejectReason(code: SRT_REJX_UNACCEPTABLE)
    /// 1415: the media type (`t=`) is not supported.
    public static let unsupportedMedia = RejectReason(code: SRT_REJX_NOTSUP_MEDIA)
    /// 1409: the resource is already being published.
    public static let conflict = RejectReason(code: SRT_REJX_CONFLICT)
    /// 1500: internal server error.
    public static let internalError = RejectReason(code: SRT_REJX_ISE)
    /// 1503: the service is shutting down.
    public static let down = RejectReason(code: SRT_REJX_DOWN)
    /// libsrt's own: the passphrase did not match.
    public static let badSecret = RejectReason(code: Int32(SRT_REJ_BADSECRET.rawValue))
    /// libsrt's own: one side requires encryption the other does not use.
    public static let unsecure = RejectReason(code: Int32(SRT_REJ_UNSECURE.rawValue))

    public var description: String {
        let name = srt_rejectreason_str(code).map { String(cString: $0) } ?? "unknown"
        return "\(code) \(name)"
    }
}
