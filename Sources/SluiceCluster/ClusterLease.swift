import Synchronization

/// This node's etcd lease: granted once per joining, renewed every third of its time to live,
/// and judged on the node's monotonic clock so the node fences itself before etcd can let the
/// lease expire.
///
/// A renewal restarts the lease's time to live when etcd receives it, which is after it was
/// sent; so the lease lives at least until the send time of the last answered renewal plus the
/// TTL, and the node counts from that send time. It fences itself a margin before then, never
/// trusting a wall clock or a clock it shares with etcd.
public final class ClusterLease: Sendable {
    /// The lease's id.
    public let id: Int64
    /// Its time to live, as granted.
    public let ttl: Duration
    /// How long before the lease could expire the node stops serving.
    public let margin: Duration
    private let client: EtcdClient
    private let renewed: Mutex<ContinuousClock.Instant>

    /// Asks etcd for a lease.
    /// - Parameters:
    ///   - client: The etcd client.
    ///   - ttl: The time to live wanted; etcd counts in whole seconds and may raise it.
    ///   - timeout: How long the grant may take.
    /// - Throws: ``EtcdError``.
    public init(client: EtcdClient, ttl: Duration, timeout: Duration) async throws(EtcdError) {
        let sent = ContinuousClock.now
        let seconds = max(1, (Int64(ttl.wholeNanoseconds) + 999_999_999) / 1_000_000_000)
        let grant = try await client.grantLease(ttlSeconds: seconds, timeout: timeout)
        guard grant.id != 0, grant.ttlSeconds > 0 else { throw .malformed("etcd granted no lease") }
        self.client = client
        self.id = grant.id
        self.ttl = .seconds(grant.ttlSeconds)
        self.margin = max(.milliseconds(300), self.ttl / 6)
        self.renewed = Mutex(sent)
    }

    /// How often the lease is renewed: a third of its time to live, so two renewals in a row
    /// can fail before it is at risk.
    public var renewalInterval: Duration { ttl / 3 }

    /// Renews the lease once, waiting no later than the moment the node must fence itself.
    /// - Returns: `false` when etcd no longer has the lease (it expired or was revoked).
    /// - Throws: ``EtcdError`` when etcd did not answer: the lease's state is unknown.
    public func renew() async throws(EtcdError) -> Bool {
        let sent = ContinuousClock.now
        let timeout = min(renewalInterval, fenceDeadline - sent)
        guard timeout > .zero else { return false }
        let grant = try await client.renewLease(id, timeout: timeout)
        guard grant.ttlSeconds > 0 else { return false }
        renewed.withLock { $0 = max($0, sent) }
        return true
    }

    /// Counts the lease as renewed at the start of a round that proved no leader stood
    /// (``QuorumEvidence``): a leader standing then could not yet find the lease expired, and
    /// the next one elected first refreshes it to its full time to live. A fenced lease stays
    /// fenced: the node gave it up.
    /// - Parameters:
    ///   - start: When the round began.
    ///   - now: The current time, when the round ended.
    /// - Returns: Whether the node may still serve under the lease.
    public func hold(since start: ContinuousClock.Instant, now: ContinuousClock.Instant = .now) -> Bool {
        renewed.withLock { renewed in
            guard now < renewed + ttl - margin else { return false }
            renewed = max(renewed, start)
            return true
        }
    }

    /// Revokes the lease, deleting every key under it.
    /// - Parameter timeout: How long the call may take.
    /// - Throws: ``EtcdError``.
    public func revoke(timeout: Duration) async throws(EtcdError) {
        try await client.revokeLease(id, timeout: timeout)
    }

    /// The earliest moment etcd may let the lease expire, on this node's clock.
    public var earliestExpiry: ContinuousClock.Instant { renewed.withLock { $0 } + ttl }

    /// When the node must have stopped serving: the earliest expiry less the margin.
    public var fenceDeadline: ContinuousClock.Instant { earliestExpiry - margin }

    /// Whether the node must not serve under this lease any more.
    /// - Parameter now: The current time.
    public func isFenced(now: ContinuousClock.Instant = .now) -> Bool { now >= fenceDeadline }

    /// How long the lease lives at least, from now; zero once it may have expired.
    /// - Parameter now: The current time.
    public func remaining(now: ContinuousClock.Instant = .now) -> Duration {
        max(.zero, earliestExpiry - now)
    }
}
