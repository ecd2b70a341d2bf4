import CSRT

/// A moment on libsrt's own steady clock (`srt_time_now`, microseconds): the clock its message
/// delivery times are given in.
public struct SRTInstant: Sendable, Equatable, Comparable {
    /// Microseconds on libsrt's clock.
    public let microseconds: Int64

    /// - Parameter microseconds: Microseconds on libsrt's clock.
    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// Now, on libsrt's clock.
    public static var now: SRTInstant { SRTInstant(microseconds: srt_time_now()) }

    /// How long ago this was.
    public var elapsed: Duration { .microseconds(Self.now.microseconds - microseconds) }

    public static func < (lhs: SRTInstant, rhs: SRTInstant) -> Bool { lhs.microseconds < rhs.microseconds }
}
