/// Decides whether a caller may publish, from its stream id, the configuration and the streams
/// that are live: the rules of the SRT access-control specification applied to Sluice.
///
/// The decision is pure: the transport asks it on libsrt's receive thread and maps a
/// ``HandshakeRefusal`` to its reject code. Checks run cheapest first, and capacity (which
/// reads the memory controller) only for a caller that would add a stream.
public struct HandshakePolicy: Sendable {
    /// What a second publisher on a live name gets.
    public var onDuplicate: DuplicatePolicy

    /// Creates a policy.
    /// - Parameter onDuplicate: `srt.on_duplicate`.
    public init(onDuplicate: DuplicatePolicy) {
        self.onDuplicate = onDuplicate
    }

    /// Decides on one caller.
    /// - Parameters:
    ///   - rawStreamID: The stream id's bytes exactly as the caller sent them.
    ///   - shuttingDown: Whether the server has stopped admitting.
    ///   - isLive: Whether a name is being published now.
    ///   - capacity: Whether one more stream fits; asked only when the caller would add a
    ///     stream, not replace one.
    /// - Returns: The parsed stream id to admit, or why not.
    public func decide(
        rawStreamID: some Collection<UInt8>, shuttingDown: Bool, isLive: (StreamName) -> Bool,
        capacity: () -> AdmissionRefusal?
    ) -> Result<StreamID, HandshakeRefusal> {
        if shuttingDown { return .failure(.shuttingDown) }
        let id: StreamID
        do {
            id = try StreamID(parsing: rawStreamID)
        } catch {
            return .failure(.badRequest(error))
        }
        guard id.mode == .publish else { return .failure(.badMode(id.mode)) }
        guard id.type == "stream" else { return .failure(.unsupportedMedia(id.type)) }
        let live = isLive(id.name)
        if live && onDuplicate == .reject { return .failure(.conflict(id.name)) }
        if !live, let refusal = capacity() { return .failure(.capacity(refusal)) }
        return .success(id)
    }
}
