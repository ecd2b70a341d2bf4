import Foundation
import Glibc
import SluiceSRT
import Testing

extension Integration {
    /// Several real `sluice` processes on a real three-member etcd, with real ffmpeg publishers:
    /// one publisher per name across the cluster, takeover after a node dies, and self-fencing.
    @Suite struct Cluster {
        /// The families a cluster node adds to `/metrics`.
        static let metrics = [
            "sluice_cluster_lease_remaining_seconds", "sluice_cluster_keepalive_failures_total",
            "sluice_cluster_fenced", "sluice_cluster_etcd_reachable", "sluice_cluster_nodes",
            "sluice_cluster_claims_total", "sluice_cluster_relays_active",
            "sluice_cluster_claim_duration_seconds_bucket",
        ]

        @Test func aNamePublishedOnTwoNodesIsRefusedOnTheSecond() async throws {
            let cluster = try await TestCluster()
            let (etcd, a, b) = (cluster.etcd, cluster.nodes[0], cluster.nodes[1])

            let first = try Publisher(
                fixture: "h264_aac.ts", url: a.url("live/dup"), extraInput: ["-stream_loop", "-1"])
            try await waitUntil("the stream to go live on node A") { a.isLive("live/dup") }
            try await waitUntil("node A to hold the name") {
                etcd.keys(prefix: "/test/streams/")?["/test/streams/live/dup"]?.contains("node-a") == true
            }
            // Node B hears of the claim through its watch.
            try await poll("node B to see the claim") {
                try await b.get("/api/cluster")?.json()["owners"].map { "\($0)".contains("live/dup") } == true
            }

            let second = try Publisher(fixture: "h264_aac.ts", url: b.url("live/dup"))
            #expect(try await second.exitStatus() != 0, "the second publisher is refused")
            try await waitUntil("node B to log the refusal") {
                b.sluice.hasLine("msg=refused", endingWith: "stream_id=live/dup")
            }
            #expect(b.sluice.output.contains("code=1409"))
            let metrics = try #require(try await b.get("/metrics")).text
            #expect(
                metrics.contains(#"sluice_streams_rejected_total{reason="held_elsewhere"} 1"#), "\(metrics)")
            #expect(metrics.contains("sluice_cluster_etcd_reachable 1"))
            #expect(metrics.contains("sluice_cluster_fenced 0"))
            #expect(metrics.contains("sluice_cluster_nodes 2"))
            #expect(
                metrics.contains(#"sluice_cluster_claims_total{result="claimed"} 0"#), "B claimed nothing")
            for family in Self.metrics { #expect(metrics.contains("\n\(family)"), "\(family) missing") }
            let (lint, problems) = try run(
                "/usr/bin/promtool", ["check", "metrics"], input: Data(metrics.utf8))
            #expect(lint == 0 || !problems.contains("sluice_cluster"), "\(problems)")

            // The first publisher is unharmed.
            try await Task.sleep(for: .seconds(1))
            #expect(first.process.isRunning)
            #expect(try await a.get("/api/streams/live/dup")?.status == 200)
            #expect(try await a.held() == ["live/dup"])
            #expect(try await b.held() == [])
        }

        @Test func readersOnAnotherNodeAreServedThroughOneRelay() async throws {
            let cluster = try await TestCluster()
            let (a, b) = (cluster.nodes[0], cluster.nodes[1])
            let name = "live/relayed"
            let publisher = try Publisher(
                fixture: "h264_aac.ts", url: a.url(name), extraInput: ["-stream_loop", "-1"])
            defer { publisher.process.terminate() }
            try await waitUntil("the stream to go live on node A") { a.isLive(name) }
            try await poll("node B to see the owner") {
                try await b.get("/api/cluster")?.json()["owners"].map { "\($0)".contains(name) } == true
            }

            // HTTP readers are sent to the owner (while no relay holds the stream here).
            let (_, redirect) = try run(
                "/usr/bin/curl",
                [
                    "-s", "--max-time", "3", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                    "\(b.base)/streams/\(name).ts?start=oldest",
                ])
            #expect(redirect == "302 \(a.base)/streams/\(name).ts?start=oldest")

            let reader = try ReaderProcess.ffmpeg(
                "srt://127.0.0.1:\(b.srtPort)?streamid=#!::r=\(name),m=request")
            let more = try (0..<9).map { _ in
                try ReaderProcess.ffmpeg("srt://127.0.0.1:\(b.srtPort)?streamid=#!::r=\(name),m=request")
            }
            // Ten ffmpeg processes starting at once on two cores take a while.
            try await poll("ten readers on node B", timeout: 30) { try await b.readerCount() == 10 }
            // Ten readers on node B cost node A one reader: the relay.
            #expect(try await a.readerCount() == 1)
            let report = try #require(try await b.get("/api/cluster")?.json())
            #expect("\(report["relays"] ?? "")".contains("node-a"), "\(report)")
            #expect(try await b.get("/metrics")?.text.contains("sluice_cluster_relays_active 1") == true)

            // Until a few GOPs have arrived through the relay.
            try await waitUntil("the relayed reader to receive media", timeout: 15) {
                let size = try FileManager.default.attributesOfItem(atPath: reader.output)[.size] as? Int ?? 0
                return size > 400_000
            }
            reader.stop()
            more.forEach { $0.stop() }
            let first = try reader.file.firstVideoFrame()
            // ffprobe adds a field (`1,I,`) for side data the relayed stream's frames carry.
            #expect(first.hasPrefix("1,I"), "a relayed reader starts at a keyframe, not \(first)")
            let decoded = try reader.file.decodeErrors(leavingOut: 0.5)
            #expect(decoded.status == 0 && decoded.errors.isEmpty, "decode errors: \(decoded.errors)")

            // With no reader left, the relay ends after its linger.
            try await poll("the relay to end", timeout: 15) {
                try await b.get("/api/cluster")?.json()["relays"].map { ($0 as? [Any])?.isEmpty == true }
                    == true
            }
            // Its session ended (relay_idle, unless the owner cut the relay first) and its
            // buffer went with it.
            try await poll("node B to drop the relayed stream") {
                try await b.get("/api/streams/\(name)")?.status == 404
            }
        }

        @Test func aNodeStartsWithoutEtcdNotReadyAndRefusesPublishersUntilItJoins() async throws {
            let etcd = try EtcdCluster()
            let a = try ClusterNodeProcess("node-a", etcd: etcd)
            try await waitUntil("node A to serve HTTP") { a.sluice.output.contains("msg=\"http listening\"") }
            let readiness = try #require(try await a.get("/readyz"))
            #expect(readiness.status == 503)
            #expect(readiness.text.contains("joining"), "\(readiness.text)")
            #expect(try await a.get("/api/cluster")?.json()["state"] as? String == "joining")

            let early = try Publisher(fixture: "h264_aac.ts", url: a.url("live/early"))
            #expect(try await early.exitStatus() != 0)
            try await waitUntil("the refusal to be logged") {
                a.sluice.hasLine("msg=refused", endingWith: "stream_id=live/early")
            }
            #expect(a.sluice.output.contains("code=1503"))
            #expect(a.sluice.output.contains("cluster_unavailable: joining"))

            try await etcd.start()
            try await a.waitUntilReady()
            let publisher = try Publisher(fixture: "h264_aac.ts", url: a.url("live/early"))
            defer { publisher.process.terminate() }
            try await waitUntil("the stream to go live") { a.isLive("live/early") }
            try await poll("node A to hold the name") { try await a.held() == ["live/early"] }
        }

        @Test func aKilledOwnersNameIsFreeWithinTheLeaseTTLPlusTwoSeconds() async throws {
            let cluster = try await TestCluster()
            let (etcd, a, b) = (cluster.etcd, cluster.nodes[0], cluster.nodes[1])
            let first = try await a.publishAndHold("live/takeover")

            kill(a.pid, SIGKILL)
            let killed = Date()
            first.process.terminate()
            // A caller retries on node B every 100 ms until node B holds the name.
            var caller: SRTConnection?
            while try await b.held() != ["live/takeover"] {
                if caller == nil {
                    caller = try? SRTCaller.connect(
                        host: "127.0.0.1", port: b.srtPort, streamID: "live/takeover")
                }
                guard Date().timeIntervalSince(killed) < 8 else {
                    throw TimedOut(what: "node B to take the name")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let elapsed = Date().timeIntervalSince(killed)
            #expect(elapsed < 2 + 2, "took \(elapsed) s")
            #expect(
                etcd.keys(prefix: "/test/streams/")?["/test/streams/live/takeover"]?.contains("node-b")
                    == true)
            caller?.close()
            // And a real publisher goes live there.
            try await poll("the caller's claim to go") { try await b.held() == [] }
            let second = try Publisher(fixture: "h264_aac.ts", url: b.url("live/takeover"))
            try await waitUntil("the stream to go live on node B") { b.isLive("live/takeover") }
            second.process.terminate()
        }

        @Test func aPausedOwnerFencesItselfAndNoTwoNodesEverHoldTheName() async throws {
            let cluster = try await TestCluster()
            let (etcd, a, b) = (cluster.etcd, cluster.nodes[0], cluster.nodes[1])
            let name = "live/paused"
            let first = try await a.publishAndHold(name)
            defer { first.process.terminate() }

            // Watched throughout: etcd's owner, and what each node says it holds.
            var bothHeld: [String] = []
            var sawOwners: Set<String> = []
            func sample() async throws {
                let heldA = try await a.held() ?? []
                let heldB = try await b.held() ?? []
                if heldA.contains(name) && heldB.contains(name) { bothHeld.append("\(Date())") }
                if let value = etcd.keys(prefix: "/test/streams/")?["/test/streams/\(name)"] {
                    sawOwners.insert(value.contains("node-a") ? "node-a" : "node-b")
                }
            }

            kill(a.pid, SIGSTOP)
            let paused = Date()
            var second: Publisher?
            defer { second?.process.terminate() }
            // Longer than the TTL: etcd lets node A's lease expire and node B takes the name.
            while Date().timeIntervalSince(paused) < 3.5 || !b.isLive(name) {
                if second.map({ !$0.process.isRunning }) ?? true {
                    second = try Publisher(
                        fixture: "h264_aac.ts", url: b.url(name), extraInput: ["-stream_loop", "-1"])
                }
                guard Date().timeIntervalSince(paused) < 10 else {
                    throw TimedOut(what: "node B to take the name")
                }
                try await sample()
                try await Task.sleep(for: .milliseconds(100))
            }
            kill(a.pid, SIGCONT)
            try await waitUntil("node A to fence itself") { a.sluice.output.contains("msg=fenced") }
            try await waitUntil("node A's publisher to be disconnected") { !first.process.isRunning }
            for _ in 0..<20 {
                try await sample()
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(bothHeld.isEmpty, "both nodes held \(name) at \(bothHeld)")
            #expect(sawOwners == ["node-a", "node-b"])
            #expect(try await b.held() == [name])
            #expect(try await a.held() == [])
            #expect(
                a.sluice.output.contains("reason=claim_lost"),
                "node A disconnects its publisher for the lost name")
            // Node A rejoins under a new lease and serves again.
            try await a.waitUntilReady()
        }

        @Test func stoppingTheEtcdLeaderLeavesOwnershipAlone() async throws {
            let cluster = try await TestCluster()
            let (etcd, a, b) = (cluster.etcd, cluster.nodes[0], cluster.nodes[1])
            let name = "live/leader"
            let key = "/test/streams/\(name)"
            let publisher = try await a.publishAndHold(name)
            defer { publisher.process.terminate() }
            let claim = try #require(etcd.entries(prefix: "/test/streams/")?[key])
            #expect(claim.value.contains("node-a"))

            let leader = try #require(etcd.leader())
            etcd.stop(leader)
            // Three lease TTLs: the election takes under a second, renewals go to the others.
            let stopped = Date()
            var owners: [String] = []
            while Date().timeIntervalSince(stopped) < 6 {
                #expect(try await a.held() == [name])
                #expect(try await b.held() == [])
                if let owner = etcd.entries(prefix: "/test/streams/")?[key] {
                    owners.append("\(owner.value.contains("node-a") ? "node-a" : owner.value) \(owner.lease)")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(!owners.isEmpty, "etcd answered after the election")
            #expect(Set(owners) == ["node-a \(claim.lease)"], "the owner key kept its node and lease")
            #expect(publisher.process.isRunning)
            #expect(!a.sluice.output.contains("msg=fenced"), "node A did not fence itself")
            try await poll("node A to be ready") { try await a.get("/readyz")?.status == 200 }

            // The name still has one owner: a second publisher on node B is refused.
            let second = try Publisher(fixture: "h264_aac.ts", url: b.url(name))
            #expect(try await second.exitStatus() != 0)
            try await waitUntil("node B to log the refusal") {
                b.sluice.hasLine("msg=refused", endingWith: "stream_id=\(name)")
            }
            #expect(b.sluice.output.contains("code=1409"))
        }

        @Test func withTwoOfThreeEtcdMembersDownLiveStreamsGoOnAndNewClaimsWait() async throws {
            // A longer TTL than the other tests': once the members are back, the node holds its
            // lease only until the TTL less a margin from its last proof of no quorum, and
            // restarted members answer only when they have elected a leader again, which takes
            // seconds on a loaded machine.
            let cluster = try await TestCluster(leaseTTLMilliseconds: 5000)
            let (etcd, a, b) = (cluster.etcd, cluster.nodes[0], cluster.nodes[1])
            let name = "live/noquorum"
            let key = "/test/streams/\(name)"
            let publisher = try await a.publishAndHold(name)
            defer { publisher.process.terminate() }
            let claim = try #require(etcd.entries(prefix: "/test/streams/")?[key])

            // The two followers go: the leader is left without a quorum and steps down.
            let leader = try #require(etcd.leader())
            let stopped = etcd.members.filter { $0.name != leader.name }
            for member in stopped { etcd.stop(member) }
            try await waitUntil("node A to see that etcd has no quorum") {
                a.sluice.output.contains("msg=\"etcd has no quorum; live streams go on\"")
            }
            let readiness = try #require(try await a.get("/readyz"))
            #expect(readiness.status == 503)
            #expect(readiness.text.contains("etcd_no_quorum"), "\(readiness.text)")
            #expect(try await a.get("/api/cluster")?.json()["state"] as? String == "etcd_no_quorum")

            // New claims are refused on both nodes, the live stream goes on past several TTLs.
            for (node, stream) in [(a, "live/new-a"), (b, "live/new-b")] {
                let refused = try Publisher(fixture: "h264_aac.ts", url: node.url(stream))
                #expect(try await refused.exitStatus() != 0)
                try await waitUntil("\(node.id) to log the refusal") {
                    node.sluice.hasLine("msg=refused", endingWith: "stream_id=\(stream)")
                }
                #expect(node.sluice.output.contains("cluster_unavailable: etcd_no_quorum"))
            }
            #expect(a.sluice.output.contains("code=1503"))
            let outage = Date()
            while Date().timeIntervalSince(outage) < 8 {
                #expect(try await a.held() == [name])
                #expect(try await b.held() == [])
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(publisher.process.isRunning, "the live stream's publisher was kept")
            #expect(try await a.get("/api/streams/\(name)")?.status == 200)
            #expect(!a.sluice.output.contains("msg=fenced"), "node A did not fence itself")

            // The members return: the quorum is back, the claim kept its lease, and new claims succeed.
            for member in stopped { try etcd.start(member) }
            try await etcd.waitUntilServing()
            try await poll("node A to be ready", timeout: 15) { try await a.get("/readyz")?.status == 200 }
            try await poll("node B to be ready", timeout: 15) { try await b.get("/readyz")?.status == 200 }
            #expect(a.sluice.output.contains("msg=\"lease renewed again\""))
            let kept = try #require(etcd.entries(prefix: "/test/streams/")?[key])
            #expect(kept.lease == claim.lease && kept.value == claim.value)
            #expect(publisher.process.isRunning)
            let later = try await b.publishAndHold("live/after")
            defer { later.process.terminate() }
            #expect(try await a.held() == [name])
            #expect(!a.sluice.output.contains("msg=fenced"))
        }
    }
}
