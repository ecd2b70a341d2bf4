/// Told of every publisher the SRT front door accepts, so that what follows a stream for its
/// whole life (forwarding) can start with it. Delivery provides it; ingest only tells.
public protocol StreamObserver: Sendable {
    /// A publisher's session was registered under its name. The stream is live once its buffer
    /// holds a frame, and over once its buffer ends (``GOPBuffer/arrivals`` says both). Called
    /// on the accept thread: quick, no blocking.
    /// - Parameter session: The new session.
    func started(_ session: IngestSession)
}
