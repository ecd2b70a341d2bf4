/// The stream directory of a single node: no other node holds names, so every claim holds.
/// The node's own session registry refuses a second publisher on a live name.
public struct LocalStreamDirectory: StreamDirectory {
    /// Creates the directory.
    public init() {}

    public func unavailability() -> DirectoryUnavailability? { nil }

    public func remoteOwner(of name: StreamName) -> String? { nil }

    public func node(_ id: String) -> DirectoryNode? { nil }

    public func claim(
        _ name: StreamName, timeout: Duration, onLoss: @escaping @Sendable () -> Void
    ) async -> ClaimOutcome { .claimed }

    public func release(_ name: StreamName) async {}
}
