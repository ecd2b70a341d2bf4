import Foundation
import Logging
import SluiceCluster
import SluiceCore
import Synchronization
import Testing

extension Integration {
    /// The etcd stream directory in this process, against a real three-member etcd: joining,
    /// claims, the watched view, revocation, and a node that starts before etcd does.
    @Suite struct ClusterDirectory {
        static func node(_ id: String, etcd: EtcdCluster, ttl: Int = 2000, prefix: String = "/t/")
            -> ClusterService
        {
            var config = ClusterConfig()
            config.etcdEndpoints = etcd.endpoints.compactMap(HTTPEndpoint.init(parsing:))
            config.leaseTTLMilliseconds = ttl
            config.prefix = prefix
            return ClusterService(
                config: config,
                node: ClusterNode(id: id, advertiseSRT: "\(id):9000", advertiseHTTP: "\(id):9464"),
                logger: Logger(label: "cluster-\(id)"))
        }

        /// Whether `node` refuses a claim of `name` as unavailable: etcd cannot take it now.
        static func claimIsUnavailable(_ name: StreamName, on node: ClusterService) async -> Bool {
            if case .unavailable = await node.claim(name, timeout: .milliseconds(500), onLoss: {}) {
                return true
            }
            return false
        }

        @Test func aNameHasOneOwnerAcrossNodes() async throws {
            let etcd = try EtcdCluster()
            try await etcd.start()
            let a = Self.node("node-a", etcd: etcd)
            let b = Self.node("node-b", etcd: etcd)
            let runA = Task { try await a.run() }
            let runB = Task { try await b.run() }
            defer {
                runA.cancel()
                runB.cancel()
            }
            try await waitUntil("both nodes to join") {
                a.unavailability() == nil && b.unavailability() == nil
            }
            try await waitUntil("each node to see both") {
                a.view.nodes.count == 2 && b.view.nodes.count == 2
            }
            #expect(b.view.node("node-a")?.advertiseSRT == "node-a:9000")

            let name = try StreamName("live/cam1")
            #expect(await a.claim(name, timeout: .milliseconds(500), onLoss: {}) == .claimed)
            let stored = try #require(etcd.keys(prefix: "/t/streams/"))
            #expect(stored["/t/streams/live/cam1"]?.contains(#""node":"node-a""#) == true, "\(stored)")
            try await waitUntil("node B to see the claim") { b.remoteOwner(of: name) == "node-a" }
            #expect(a.remoteOwner(of: name) == nil, "a node's own claim is not remote")
            #expect(
                await b.claim(name, timeout: .milliseconds(500), onLoss: {}) == .heldElsewhere(node: "node-a")
            )
            #expect(a.heldNames == [name] && b.heldNames.isEmpty)

            await a.release(name)
            #expect(etcd.keys(prefix: "/t/streams/")?.isEmpty == true)
            try await waitUntil("node B to see the release") { b.remoteOwner(of: name) == nil }
            #expect(await b.claim(name, timeout: .milliseconds(500), onLoss: {}) == .claimed)
            #expect(b.claimResults.snapshot == ["held_elsewhere": 1, "claimed": 1])
        }

        @Test func claimsRaceForOneNameAndExactlyOneWins() async throws {
            let etcd = try EtcdCluster()
            try await etcd.start()
            let nodes = ["node-a", "node-b", "node-c"].map { Self.node($0, etcd: etcd) }
            let runs = nodes.map { node in Task { try await node.run() } }
            defer { runs.forEach { $0.cancel() } }
            try await waitUntil("the nodes to join") { nodes.allSatisfy { $0.unavailability() == nil } }
            for index in 0..<10 {
                let name = try StreamName("race/\(index)")
                let outcomes = await withTaskGroup(of: ClaimOutcome.self) { group in
                    for node in nodes {
                        group.addTask { await node.claim(name, timeout: .seconds(2), onLoss: {}) }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == .claimed }.count == 1, "\(outcomes)")
                #expect(outcomes.filter { if case .heldElsewhere = $0 { true } else { false } }.count == 2)
            }
        }

        @Test func gracefulShutdownFreesTheNamesAtOnce() async throws {
            let etcd = try EtcdCluster()
            try await etcd.start()
            // A long lease: only the revocation can free the name within the test's wait.
            let a = Self.node("node-a", etcd: etcd, ttl: 30_000)
            let b = Self.node("node-b", etcd: etcd, ttl: 30_000)
            let runA = Task { try await a.run() }
            let runB = Task { try await b.run() }
            defer { runB.cancel() }
            try await waitUntil("both nodes to join") {
                a.unavailability() == nil && b.unavailability() == nil
            }
            let name = try StreamName("live/leaving")
            #expect(await a.claim(name, timeout: .milliseconds(500), onLoss: {}) == .claimed)
            try await waitUntil("node B to see the claim") { b.remoteOwner(of: name) == "node-a" }
            runA.cancel()
            try await runA.value
            try await waitUntil("the claim and the node to go", timeout: 3) {
                b.remoteOwner(of: name) == nil && b.view.node("node-a") == nil
            }
            #expect(await b.claim(name, timeout: .milliseconds(500), onLoss: {}) == .claimed)
        }

        @Test func aNodeStartedBeforeEtcdJoinsWhenItAnswers() async throws {
            let etcd = try EtcdCluster()
            let a = Self.node("node-a", etcd: etcd)
            let runA = Task { try await a.run() }
            defer { runA.cancel() }
            try await Task.sleep(for: .seconds(1))
            #expect(a.unavailability() == .joining)
            let name = try StreamName("live/early")
            try #require(await Self.claimIsUnavailable(name, on: a), "a claim before joining must be refused")
            try await etcd.start()
            try await waitUntil("the node to join", timeout: 15) { a.unavailability() == nil }
            #expect(await a.claim(name, timeout: .milliseconds(500), onLoss: {}) == .claimed)
        }

        @Test func aMajorityThatDoesNotAnswerFencesTheNodeAndItRejoinsUnderANewLease() async throws {
            let etcd = try EtcdCluster()
            try await etcd.start()
            let a = Self.node("node-a", etcd: etcd)
            let runA = Task { try await a.run() }
            defer { runA.cancel() }
            try await waitUntil("the node to join") { a.unavailability() == nil }
            let firstLease = try #require(a.lease?.id)
            let name = try StreamName("live/fenced")
            let lost = Mutex(false)
            #expect(
                await a.claim(name, timeout: .milliseconds(500)) { lost.withLock { $0 = true } } == .claimed)

            // Paused members accept connections and never answer: the node cannot tell them from
            // a working majority beyond a partition, which may let its lease expire.
            let stopped = Date()
            etcd.pause(etcd.members[1])
            etcd.pause(etcd.members[2])
            try await waitUntil("the node to fence itself", timeout: 5) { a.unavailability() == .fenced }
            let fencedAfter = Date().timeIntervalSince(stopped)
            // The publishers are told just after the node stops serving.
            try await waitUntil("the publisher of a held name to be told", timeout: 1) {
                lost.withLock { $0 }
            }
            #expect(a.heldNames.isEmpty)
            // It fences itself about when its lease could expire (TTL less a margin after the
            // last renewal, which was at most a third of the TTL before the members went):
            // well within a TTL and a half of stopping them, even on a loaded machine.
            #expect(fencedAfter < 3.0, "fenced after \(fencedAfter) s")
            try #require(await Self.claimIsUnavailable(name, on: a), "a fenced node must not claim")

            etcd.resume(etcd.members[1])
            etcd.resume(etcd.members[2])
            try await waitUntil("the node to rejoin", timeout: 20) { a.unavailability() == nil }
            #expect(a.lease?.id != firstLease)
            #expect(a.keepaliveFailures > 0)
            #expect(await a.claim(name, timeout: .seconds(1), onLoss: {}) == .claimed)
        }

        @Test func aLongElectionKeepsTheClaimsAndTheLease() async throws {
            // The first member leads; once it stops, the others wait 5 to 10 s before they elect
            // a new leader: several lease TTLs. (etcd raises a lease's TTL to one and a half
            // election timeouts of the member that applies the grant: the node's first endpoint,
            // the leader, keeps the node's 3 s, and the others 8 s. So this shows that the node
            // holds through the election, not that etcd would have let it: that is the rule's
            // unit test and its argument.) A 3 s TTL leaves a slow status answer room before the
            // node's count runs out.
            let etcd = try EtcdCluster(electionTimeoutsMilliseconds: [500, 5000, 5000])
            try await etcd.start()
            try await waitUntil("the first member to lead") { etcd.leader()?.name == "m0" }
            let a = Self.node("node-a", etcd: etcd, ttl: 3000)
            let runA = Task { try await a.run() }
            defer { runA.cancel() }
            try await waitUntil("the node to join") { a.unavailability() == nil }
            let lease = try #require(a.lease?.id)
            #expect(a.lease?.ttl == .seconds(3))
            let name = try StreamName("live/elected")
            let lost = Mutex(false)
            #expect(
                await a.claim(name, timeout: .milliseconds(500)) { lost.withLock { $0 = true } } == .claimed)

            let leader = try #require(etcd.leader())
            etcd.stop(leader)
            try await waitUntil("the node to see no leader", timeout: 5) { a.unavailability() == .noLeader }
            try #require(
                await Self.claimIsUnavailable(try StreamName("live/other"), on: a),
                "no claim can be made without a leader")
            var states: Set<DirectoryUnavailability?> = []
            try await waitUntil("a new leader", timeout: 20) {
                states.insert(a.unavailability())
                return etcd.leader() != nil
            }
            try await waitUntil("the node to serve again", timeout: 5) { a.unavailability() == nil }
            #expect(!states.contains(.fenced), "the node fenced itself during the election: \(states)")
            #expect(a.lease?.id == lease, "the same lease, renewed")
            #expect(a.heldNames == [name])
            #expect(!lost.withLock { $0 })
            #expect(etcd.keys(prefix: "/t/streams/")?.keys.sorted() == ["/t/streams/\(name)"])
        }

        @Test func aMajorityOfStoppedMembersKeepsTheClaimsAndTheLease() async throws {
            let etcd = try EtcdCluster()
            try await etcd.start()
            // Once the members are back, the lease is held only for the TTL less a margin from
            // the last proof of no quorum, and restarted members answer only once they have
            // elected a leader: seconds on a loaded machine.
            let a = Self.node("node-a", etcd: etcd, ttl: 5000)
            let runA = Task { try await a.run() }
            defer { runA.cancel() }
            try await waitUntil("the node to join") { a.unavailability() == nil }
            let lease = try #require(a.lease?.id)
            let name = try StreamName("live/kept")
            let lost = Mutex(false)
            #expect(
                await a.claim(name, timeout: .milliseconds(500)) { lost.withLock { $0 = true } } == .claimed)

            // Stopped members refuse connections: with two of three gone, no quorum exists anywhere.
            etcd.stop(etcd.members[1])
            etcd.stop(etcd.members[2])
            try await waitUntil("the node to see no quorum", timeout: 5) { a.unavailability() == .noQuorum }
            // Longer than the TTL without a renewal, and the claim is still held.
            let outage = Date()
            while Date().timeIntervalSince(outage) < 8 {
                #expect(a.unavailability() == .noQuorum)
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(!lost.withLock { $0 })
            #expect(a.heldNames == [name])
            try #require(
                await Self.claimIsUnavailable(try StreamName("live/other"), on: a),
                "no claim can be made without a quorum")

            try etcd.start(etcd.members[1])
            try etcd.start(etcd.members[2])
            try await waitUntil("the node to serve again", timeout: 20) { a.unavailability() == nil }
            #expect(a.lease?.id == lease, "the same lease, renewed")
            #expect(a.heldNames == [name])
            #expect(!lost.withLock { $0 })
            #expect(await a.claim(try StreamName("live/other"), timeout: .seconds(1), onLoss: {}) == .claimed)
        }
    }
}
