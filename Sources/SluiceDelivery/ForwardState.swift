/// Where a forwarder is in its cycle of calling its destination.
public enum ForwardState: String, Sendable, CaseIterable, Hashable {
    /// Waiting for the stream's first frame, or calling the destination.
    case connecting
    /// Connected and publishing the stream.
    case connected
    /// Waiting before the next call, after a failed one or a broken connection.
    case backoff
}
