/// Who holds each stream name among the nodes that serve streams: one publisher per name,
/// wherever it connects.
///
/// The handshake asks ``remoteOwner(of:)`` and ``unavailability()``, which answer from what
/// the directory already knows and never wait; the accept path then ``claim(_:timeout:onLoss:)``s
/// the name, and the session's end ``release(_:)``s it. A single node uses
/// ``LocalStreamDirectory``; a cluster, the etcd directory of `SluiceCluster`.
public protocol StreamDirectory: Sendable {
    /// Why this node takes no new publishers now (it has not joined, cannot reach the
    /// directory, or fenced itself), or `nil` when it does. Never waits.
    func unavailability() -> DirectoryUnavailability?

    /// The node that holds `name`, when another node does, as last heard. Never waits.
    /// - Parameter name: A stream name.
    func remoteOwner(of name: StreamName) -> String?

    /// How a node is reached, as last heard. Never waits.
    /// - Parameter id: A node's id, such as ``remoteOwner(of:)`` answers.
    func node(_ id: String) -> DirectoryNode?

    /// Claims `name` for this node, waiting at most `timeout` for the answer.
    /// - Parameters:
    ///   - name: The stream name a publisher connected with.
    ///   - timeout: How long the claim may take; past it the outcome is ``ClaimOutcome/unavailable(_:)``.
    ///   - onLoss: Called at most once, on any thread, if the name is lost after it was
    ///     claimed (the node fenced itself, or another node holds the name now).
    /// - Returns: Whether this node holds the name now.
    func claim(_ name: StreamName, timeout: Duration, onLoss: @escaping @Sendable () -> Void) async
        -> ClaimOutcome

    /// Gives up a name this node claimed (when its stream ends), whatever became of the claim.
    /// - Parameter name: The stream name.
    func release(_ name: StreamName) async
}
