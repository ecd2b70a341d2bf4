import SluiceCore

extension EtcdClient {
    /// The cluster's members, as the member that answers knows them (served locally: it needs
    /// no quorum).
    /// - Parameter timeout: How long the call may take.
    /// - Returns: Every member, voting or learner.
    /// - Throws: ``EtcdError``.
    public func members(timeout: Duration) async throws(EtcdError) -> [EtcdMember] {
        struct Answer: Decodable, Sendable { var members: [EtcdMember]? }
        let answer: Answer = try await call("/v3/cluster/member/list", [String: String](), timeout: timeout)
        return answer.members ?? []
    }

    /// Asks one member how it stands (served locally: it needs no quorum).
    /// - Parameters:
    ///   - endpoint: The member's client URL.
    ///   - timeout: How long the call may take.
    /// - Returns: The member's id and the leader it follows.
    /// - Throws: ``EtcdError``; ``EtcdError/refused(_:)`` when nothing listens there.
    public func status(at endpoint: HTTPEndpoint, timeout: Duration) async throws(EtcdError)
        -> EtcdMemberStatus
    {
        try await call("/v3/maintenance/status", [String: String](), at: endpoint, timeout: timeout)
    }
}
