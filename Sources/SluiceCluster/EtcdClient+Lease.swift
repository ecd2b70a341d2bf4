extension EtcdClient {
    /// A lease's id and its time to live, as etcd granted or renewed it.
    public struct LeaseGrant: Sendable, Hashable {
        /// The lease's id.
        public var id: Int64
        /// Its time to live in seconds; 0 when etcd no longer has the lease.
        public var ttlSeconds: Int64
    }

    private struct LeaseAnswer: Decodable, Sendable {
        var id: Int64
        var ttl: Int64

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            id = try container.int64(AnyKey("ID"))
            ttl = try container.int64(AnyKey("TTL"))
        }
    }

    /// Asks for a new lease.
    /// - Parameters:
    ///   - ttlSeconds: Its time to live; etcd may raise it to its minimum.
    ///   - timeout: How long the call may take.
    /// - Returns: The lease granted.
    public func grantLease(ttlSeconds: Int64, timeout: Duration) async throws(EtcdError) -> LeaseGrant {
        let answer: LeaseAnswer = try await call(
            "/v3/lease/grant", ["TTL": String(ttlSeconds)], timeout: timeout)
        return LeaseGrant(id: answer.id, ttlSeconds: answer.ttl)
    }

    /// Renews a lease once: one request on the gateway's keep-alive stream.
    /// - Parameters:
    ///   - id: The lease.
    ///   - timeout: How long the call may take.
    /// - Returns: The lease's new time to live; 0 when it has expired or was revoked.
    public func renewLease(_ id: Int64, timeout: Duration) async throws(EtcdError) -> LeaseGrant {
        struct Answer: Decodable, Sendable { var result: LeaseAnswer }
        let answer: Answer = try await call("/v3/lease/keepalive", ["ID": String(id)], timeout: timeout)
        return LeaseGrant(id: answer.result.id, ttlSeconds: answer.result.ttl)
    }

    /// Revokes a lease: every key under it is deleted at once.
    /// - Parameters:
    ///   - id: The lease.
    ///   - timeout: How long the call may take.
    public func revokeLease(_ id: Int64, timeout: Duration) async throws(EtcdError) {
        let _: EtcdHeaderOnly = try await call("/v3/lease/revoke", ["ID": String(id)], timeout: timeout)
    }
}

/// An answer whose only content is its header.
struct EtcdHeaderOnly: Decodable, Sendable {
    var header: EtcdHeader?
}
