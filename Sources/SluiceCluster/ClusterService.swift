import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import Synchronization

/// This node's membership of the cluster, and its ``StreamDirectory``: it joins under a lease,
/// registers the node, keeps a ``ClusterView`` current with a watch, claims and releases
/// stream names, and fences itself when its lease may be lost.
///
/// It runs as a service: while etcd cannot be reached it keeps trying, and the node takes no
/// new publishers (``unavailability()``); a graceful shutdown revokes the lease, so every
/// name the node held is free at once.
public final class ClusterService: StreamDirectory, Sendable {
    /// This node's id.
    public let nodeID: String
    /// This node as it registers itself.
    public let registration: ClusterNode
    /// The cluster as this node last heard it.
    public let view: ClusterView
    /// Claims by result (`claimed`, `held_elsewhere`, `unavailable`).
    public let claimResults = ReasonCounter()
    /// How long each claim took to decide, whatever its result: from the accepted publisher
    /// asking to etcd's answer (or the claim's deadline).
    public let claimDurations = LatencyHistogram(bounds: [
        0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1,
    ])
    private let client: EtcdClient
    private let claims: StreamClaim
    private let config: ClusterConfig
    private let logger: Logger
    private let keepaliveFailureCount = Atomic<Int>(0)
    private let nextToken = Atomic<Int>(0)
    private let state = Mutex(State())

    /// How long one etcd call of the service's own (not a claim) may take.
    static let callTimeout = Duration.seconds(2)

    private enum Phase: Sendable {
        case joining, serving, fenced
    }

    private struct Held: Sendable {
        var token: Int
        /// The revision the claim was written at; `nil` while the claim is under way.
        var revision: Int64?
        var onLoss: @Sendable () -> Void
    }

    private struct State: Sendable {
        var phase = Phase.joining
        var lease: ClusterLease?
        /// The lease of an earlier membership, revoked when the node rejoins.
        var previousLease: Int64?
        var reachable = false
        /// What the last renewal round proved (``QuorumEvidence``): `.noLeader` or `.noQuorum`
        /// while the node holds its lease without renewing it; `nil` otherwise.
        var holding: DirectoryUnavailability?
        /// etcd's members, as its member list last reported them.
        var members: [EtcdMember] = []
        var held: [StreamName: Held] = [:]
    }

    /// Creates the service; nothing is sent until it runs.
    /// - Parameters:
    ///   - config: The `cluster` settings; its endpoints must not be empty.
    ///   - node: This node: its id and how the others reach it.
    ///   - logger: Where joining, fencing and lost claims are logged.
    public init(config: ClusterConfig, node: ClusterNode, logger: Logger) {
        let client = EtcdClient(endpoints: config.etcdEndpoints)
        let claims = StreamClaim(client: client, prefix: config.prefix, nodeID: node.id)
        self.nodeID = node.id
        self.registration = node
        self.client = client
        self.claims = claims
        self.config = config
        self.logger = logger
        self.view = ClusterView(claims: claims)
    }

    /// Lease renewals etcd did not answer since start.
    public var keepaliveFailures: Int { keepaliveFailureCount.load(ordering: .relaxed) }

    /// This node's lease, while it has one it may serve under.
    public var lease: ClusterLease? {
        state.withLock { $0.phase == .serving ? $0.lease : nil }
    }

    /// Whether etcd answered the node's last call.
    public var isReachable: Bool { state.withLock { $0.reachable } }

    /// The names this node holds, by name: none once its lease may have expired, even before
    /// the keep-alive loop has noticed (after the process was paused, say).
    public var heldNames: [StreamName] {
        state.withLock { state in
            guard state.phase == .serving, state.lease?.isFenced() == false else { return [] }
            return state.held.filter { $0.value.revision != nil }.keys.sorted { $0.value < $1.value }
        }
    }

    // MARK: StreamDirectory

    public func unavailability() -> DirectoryUnavailability? {
        state.withLock { state in
            switch state.phase {
            case .joining: return .joining
            case .fenced: return .fenced
            case .serving:
                if state.lease?.isFenced() ?? true { return .fenced }
                if let holding = state.holding { return holding }
                return state.reachable ? nil : .unreachable
            }
        }
    }

    public func remoteOwner(of name: StreamName) -> String? {
        guard let owner = view.owner(of: name), owner.node != nodeID else { return nil }
        return owner.node
    }

    public func node(_ id: String) -> DirectoryNode? {
        view.node(id).map {
            DirectoryNode(
                id: $0.id, srt: $0.advertiseSRT.flatMap(HostPort.init(parsing:)),
                http: $0.advertiseHTTP.flatMap(HostPort.init(parsing:)))
        }
    }

    public func claim(
        _ name: StreamName, timeout: Duration, onLoss: @escaping @Sendable () -> Void
    ) async -> ClaimOutcome {
        let started = ContinuousClock.now
        let outcome = await attemptClaim(name, timeout: timeout, onLoss: onLoss)
        claimDurations.record(started.duration(to: .now))
        claimResults.count(outcome.label)
        if case .claimed = outcome { return outcome }
        logger.warning(
            "claim refused", metadata: ["stream": "\(name)", "node": "\(nodeID)", "outcome": "\(outcome)"])
        return outcome
    }

    public func release(_ name: StreamName) async {
        // A claim still under way finds its token gone and deletes what it wrote itself.
        guard let revision = state.withLock({ $0.held.removeValue(forKey: name)?.revision }) else { return }
        do {
            if try await !claims.release(name, revision: revision, timeout: Self.callTimeout) {
                logger.info("claim already gone", metadata: ["stream": "\(name)", "revision": "\(revision)"])
            }
        } catch {
            // The key lives under the lease: it goes when the lease does, at the latest.
            logger.warning("release failed", metadata: ["stream": "\(name)", "error": "\(error)"])
        }
    }

    private func attemptClaim(
        _ name: StreamName, timeout: Duration, onLoss: @escaping @Sendable () -> Void
    ) async -> ClaimOutcome {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        let begun = state.withLock { state -> ClusterLease? in
            guard state.phase == .serving, let lease = state.lease, !lease.isFenced() else { return nil }
            state.held[name] = Held(token: token, revision: nil, onLoss: onLoss)
            return lease
        }
        guard let lease = begun else {
            return .unavailable((unavailability() ?? .fenced).description)
        }
        // The transaction runs to its end even when the caller stops waiting, so what it
        // wrote is either recorded as held or deleted again.
        let attempt = Task { await self.write(name, lease: lease, token: token) }
        let answer = await withTaskGroup(of: ClaimOutcome?.self) { group in
            group.addTask { await attempt.value }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        if let answer { return answer }
        // Out of time: give the name up unless the claim landed at this very moment.
        let landed = state.withLock { state -> Bool in
            guard let held = state.held[name], held.token == token else { return false }
            if held.revision != nil { return true }
            state.held[name] = nil
            return false
        }
        return landed ? .claimed : .unavailable("etcd did not answer the claim within \(timeout)")
    }

    /// Writes a claim and records it under `token`, or deletes it again when its claimer no
    /// longer waits for it.
    private func write(_ name: StreamName, lease: ClusterLease, token: Int) async -> ClaimOutcome {
        var outcome: ClaimOutcome = .unavailable("no attempt")
        var written: Int64?
        do {
            // A name this node still holds from its previous publisher, or from a lease it
            // has given up, is moved to the current lease only if nobody wrote it since.
            for _ in 0..<3 where written == nil {
                switch try await claims.claim(name, lease: lease.id, timeout: Self.callTimeout) {
                case .claimed(let revision):
                    written = revision
                case .held(let node, _, let revision) where node == nodeID:
                    written = try await claims.renew(
                        name, from: revision, lease: lease.id, timeout: Self.callTimeout)
                case .held(let node, _, _):
                    outcome = .heldElsewhere(node: node)
                }
                if case .heldElsewhere = outcome { break }
            }
        } catch {
            outcome = .unavailable(error.description)
        }
        guard let revision = written else {
            state.withLock { state in
                if state.held[name]?.token == token { state.held[name] = nil }
            }
            return outcome
        }
        let kept = state.withLock { state -> Bool in
            guard state.held[name]?.token == token, state.lease === lease, state.phase == .serving else {
                return false
            }
            state.held[name]?.revision = revision
            return true
        }
        if kept { return .claimed }
        _ = try? await claims.release(name, revision: revision, timeout: Self.callTimeout)
        return .unavailable("the claim was given up while it was being written")
    }

    // MARK: Membership

    /// Joins, serves and rejoins until cancelled.
    func serve() async {
        var backoff = Duration.milliseconds(250)
        while !Task.isCancelled {
            do {
                let lease = try await join()
                backoff = .milliseconds(250)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await self.keepAlive(lease) }
                    group.addTask { try await self.watch() }
                    try await group.next()
                    group.cancelAll()
                }
            } catch is CancellationError {
                break
            } catch {
                state.withLock { $0.reachable = false }
                logger.warning("cluster unavailable", metadata: ["node": "\(nodeID)", "error": "\(error)"])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
    }

    /// Takes a new lease, registers the node under it and reads the cluster.
    private func join() async throws -> ClusterLease {
        let lease = try await ClusterLease(
            client: client, ttl: .milliseconds(config.leaseTTLMilliseconds), timeout: Self.callTimeout)
        if let previous = state.withLock({ $0.previousLease }) {
            // Whatever the node held before is no longer served: free it now rather than at expiry.
            _ = try? await client.revokeLease(previous, timeout: Self.callTimeout)
        }
        let key = "\(config.prefix)nodes/\(nodeID)"
        let value = (try? JSONEncoder().encode(registration)) ?? Data()
        let registration = try await client.transaction(
            EtcdTransaction(
                compare: [.createRevision(key: key, equals: 0)],
                success: [.put(key: key, value: value, lease: lease.id)],
                failure: [.get(key: key)]),
            timeout: Self.callTimeout)
        guard registration.succeeded else {
            try? await lease.revoke(timeout: Self.callTimeout)
            throw ClusterError.nodeIDTaken(nodeID, lease: registration.found.first?.lease ?? 0)
        }
        let (keys, revision) = try await client.range(prefix: config.prefix, timeout: Self.callTimeout)
        handle(view.reset(keys: keys, revision: revision))
        await readMembers()
        state.withLock { state in
            state.holding = nil
            state.phase = .serving
            state.lease = lease
            state.previousLease = lease.id
            state.reachable = true
        }
        logger.info(
            "joined the cluster",
            metadata: [
                "node": "\(nodeID)", "lease": "\(lease.id)", "ttl_ms": "\(lease.ttl.milliseconds)",
                "revision": "\(revision)", "nodes": "\(view.nodes.count)", "claims": "\(view.owners.count)",
            ])
        return lease
    }

    /// Renews the lease every third of its time to live, sooner after a failure, and fences
    /// the node when it may be lost. After a failure it asks every etcd member how it stands:
    /// while that proves no leader stands (etcd is electing one, or has no quorum), the lease is
    /// held (``ClusterLease/hold(since:now:)``) and the node keeps its publishers. Returns once
    /// fenced.
    private func keepAlive(_ lease: ClusterLease) async throws {
        while true {
            var next = ContinuousClock.now + lease.renewalInterval
            do {
                guard try await lease.renew() else {
                    return fence(lease, reason: "etcd no longer has the lease")
                }
                let recovered = state.withLock { state in
                    defer {
                        state.reachable = true
                        state.holding = nil
                    }
                    return !state.reachable
                }
                if recovered {
                    logger.notice(
                        "lease renewed again",
                        metadata: ["node": "\(nodeID)", "remaining_ms": "\(lease.remaining().milliseconds)"])
                }
                // Kept current so that a round's proof counts every voting member.
                await readMembers()
            } catch {
                keepaliveFailureCount.add(1, ordering: .relaxed)
                let members = state.withLock { $0.members }
                let evidence = await QuorumEvidence.gather(
                    members: members, client: client,
                    timeout: min(.milliseconds(500), lease.renewalInterval / 2))
                let holding: DirectoryUnavailability? =
                    if evidence.provesNoStandingLeader && lease.hold(since: evidence.started) {
                        evidence.provesNoQuorum ? .noQuorum : .noLeader
                    } else {
                        nil
                    }
                let wasHolding = state.withLock { state in
                    defer {
                        state.reachable = false
                        state.holding = holding
                    }
                    return state.holding
                }
                if holding != wasHolding || holding == nil {
                    let message: Logger.Message =
                        switch holding {
                        case .noQuorum: "etcd has no quorum; live streams go on"
                        case .noLeader: "etcd has no leader; live streams go on"
                        default: "lease renewal failed"
                        }
                    logger.warning(
                        message,
                        metadata: [
                            "node": "\(nodeID)", "error": "\(error)",
                            "remaining_ms": "\(lease.remaining().milliseconds)",
                            "members":
                                "\(zip(members.filter { !$0.isLearner }.map(\.name), evidence.answers).map { "\($0)=\($1)" })",
                        ])
                }
                next = min(next, .now + .milliseconds(200))
            }
            if lease.isFenced() { return fence(lease, reason: "the lease was not renewed in time") }
            try await Task.sleep(until: min(next, lease.fenceDeadline), clock: .continuous)
            if lease.isFenced() { return fence(lease, reason: "the lease was not renewed in time") }
        }
    }

    /// Reads etcd's member list; keeps the last one when etcd does not answer.
    private func readMembers() async {
        guard let members = try? await client.members(timeout: Self.callTimeout), !members.isEmpty else {
            return
        }
        state.withLock { $0.members = members }
    }

    /// Stops serving under `lease`: every held name is given up and its publisher told.
    private func fence(_ lease: ClusterLease, reason: String) {
        let lost = state.withLock { state -> [Held] in
            guard state.lease === lease else { return [] }
            state.phase = .fenced
            state.lease = nil
            let lost = Array(state.held.values)
            state.held = [:]
            return lost
        }
        logger.error(
            "fenced",
            metadata: [
                "node": "\(nodeID)", "lease": "\(lease.id)", "reason": "\(reason)",
                "streams": "\(lost.count)",
            ])
        for held in lost { held.onLoss() }
    }

    /// Keeps the view current: a watch from the view's revision, and after any break a fresh
    /// read of the whole prefix.
    private func watch() async throws {
        while true {
            do {
                try await client.watch(
                    prefix: config.prefix, from: view.revision + 1, connectTimeout: Self.callTimeout
                ) { batch in
                    if batch.canceled || batch.compactRevision > 0 {
                        throw EtcdError.status(http: 200, code: 11, message: "watch canceled; reading again")
                    }
                    handle(view.apply(batch))
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                try Task.checkCancellation()
                logger.info("watch restarting", metadata: ["node": "\(nodeID)", "error": "\(error)"])
            }
            try await Task.sleep(for: .milliseconds(200))
            if let (keys, revision) = try? await client.range(
                prefix: config.prefix, timeout: Self.callTimeout)
            {
                handle(view.reset(keys: keys, revision: revision))
            }
        }
    }

    /// Tells the publishers of names this node held and no longer does.
    private func handle(_ changes: [ClusterView.Change]) {
        let lease = state.withLock { $0.lease?.id }
        for change in changes {
            let lost = state.withLock { state -> Held? in
                guard let held = state.held[change.name], let revision = held.revision else { return nil }
                if let owner = change.owner,
                    owner.revision == revision || (owner.node == nodeID && owner.lease == lease)
                {
                    return nil
                }
                guard change.revision >= revision else { return nil }
                return state.held.removeValue(forKey: change.name)
            }
            guard let lost else { continue }
            logger.error(
                "claim lost",
                metadata: [
                    "stream": "\(change.name)", "node": "\(nodeID)",
                    "owner": "\(change.owner?.node ?? "none")",
                ])
            lost.onLoss()
        }
    }
}

extension ClusterService: Service {
    /// Serves until a graceful shutdown, then revokes the lease so the node's names are free
    /// at once.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.serve() }
        let lease = state.withLock { state -> ClusterLease? in
            defer {
                state.phase = .fenced
                state.lease = nil
            }
            return state.lease
        }
        guard let lease else { return }
        // Revoked even when the service was cancelled rather than asked to stop: a task of
        // its own does not inherit the cancellation.
        let revoked = await Task { () -> EtcdError? in
            do throws(EtcdError) { try await lease.revoke(timeout: Self.callTimeout) } catch { return error }
            return nil
        }.value
        if let error = revoked {
            logger.warning(
                "could not revoke the lease", metadata: ["node": "\(nodeID)", "error": "\(error)"])
        } else {
            logger.info("left the cluster", metadata: ["node": "\(nodeID)", "lease": "\(lease.id)"])
        }
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    var milliseconds: Int64 { Int64(wholeNanoseconds) / 1_000_000 }
}
