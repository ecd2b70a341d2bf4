/// Decides whether a caller may publish or read, from its stream id, the configuration and the
/// streams that are live: the rules of the SRT access-control specification applied to Sluice.
///
/// A plain `NAME` and `m=publish` publish; `m=request`, and a `#!::` id without `m` (the
/// specification's default), read. The decision is pure: the transport asks it on libsrt's
/// receive thread and maps a ``HandshakeRefusal`` to its reject code. Checks run cheapest
/// first, and capacity (which reads the memory controller) only for a caller that would add a
/// stream or a reader.
///
/// Credentials are not decided here: a reader proves it may read by encrypting with the read
/// passphrase, which libsrt checks after this decision (a wrong or missing one is refused by
/// libsrt itself, `SRT_REJ_BADSECRET` or `SRT_REJ_UNSECURE`), and the specification's `u=`
/// names a user Sluice has no accounts for. So no caller is refused with 1401 in the handshake.
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
    ///   - readerCapacity: Whether one more reader of a live stream fits; asked only for a
    ///     reader of a live stream.
    ///   - directory: Who else holds names, and whether claims can be made now; asked only for
    ///     a name that is not live here: a publisher of a name another node holds is refused,
    ///     a reader of it admitted (it is served by relaying from that node).
    /// - Returns: The parsed stream id to admit (its mode says publisher or reader), or why not.
    public func decide(
        rawStreamID: some Collection<UInt8>, shuttingDown: Bool, isLive: (StreamName) -> Bool,
        capacity: () -> AdmissionRefusal?, readerCapacity: (StreamName) -> ReaderRefusal?,
        directory: some StreamDirectory
    ) -> Result<StreamID, HandshakeRefusal> {
        if shuttingDown { return .failure(.shuttingDown) }
        let id: StreamID
        do {
            id = try StreamID(parsing: rawStreamID)
        } catch {
            return .failure(.badRequest(error))
        }
        guard id.mode != .bidirectional else { return .failure(.badMode(id.mode)) }
        guard id.type == "stream" else { return .failure(.unsupportedMedia(id.type)) }
        if id.mode == .request {
            // A stream another node publishes is relayed from it to readers here.
            if !isLive(id.name) && directory.remoteOwner(of: id.name) != nil { return .success(id) }
            guard isLive(id.name) else { return .failure(.notFound(id.name)) }
            if let refusal = readerCapacity(id.name) { return .failure(.readerCapacity(refusal)) }
            return .success(id)
        }
        let live = isLive(id.name)
        if live && onDuplicate == .reject { return .failure(.conflict(id.name)) }
        if !live {
            // Another node's publisher is refused like a local duplicate, and before the
            // directory's state: its owner is known even while claims cannot be made.
            if let node = directory.remoteOwner(of: id.name) {
                return .failure(.heldElsewhere(id.name, node: node))
            }
            if let why = directory.unavailability() { return .failure(.clusterUnavailable(why)) }
        }
        if !live, let refusal = capacity() { return .failure(.capacity(refusal)) }
        return .success(id)
    }
}
