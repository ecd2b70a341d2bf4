import Foundation
import Glibc
import Synchronization

/// A real etcd cluster of three members on free loopback ports, with its data in a temporary
/// folder; members can be stopped, paused and started again. Stopped (and the folder removed)
/// when released.
final class EtcdCluster: Sendable {
    struct Member: Sendable {
        var name: String
        var clientPort: UInt16
        var peerPort: UInt16
        /// How long it waits without hearing from a leader before it calls an election.
        var electionTimeoutMilliseconds: Int
        var clientURL: String { "http://127.0.0.1:\(clientPort)" }
        var peerURL: String { "http://127.0.0.1:\(peerPort)" }
    }

    let members: [Member]
    let directory: URL
    private let token = UUID().uuidString
    private let processes = Mutex<[String: Process]>([:])

    /// The members' client URLs, as `cluster.etcd.endpoints` takes them.
    var endpoints: [String] { members.map(\.clientURL) }

    /// Picks ports and a folder; no member runs until ``start()``.
    /// - Parameter electionTimeoutsMilliseconds: One member per entry, with that
    ///   `--election-timeout` (a heartbeat a tenth of it). On loopback, elections in half a
    ///   second rather than the default's one; a member with a shorter one than the others
    ///   calls the first election and leads, and once it stops, the others take their longer
    ///   time to elect the next leader.
    init(electionTimeoutsMilliseconds: [Int] = [500, 500, 500]) throws {
        members = electionTimeoutsMilliseconds.enumerated().map {
            Member(
                name: "m\($0.offset)", clientPort: SluiceProcess.freeTCPPort(),
                peerPort: SluiceProcess.freeTCPPort(), electionTimeoutMilliseconds: $0.element)
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sluice-etcd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        for process in processes.withLock({ Array($0.values) }) where process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts every member and waits until the cluster answers with a quorum.
    func start() async throws {
        for member in members { try start(member) }
        try await waitUntilServing()
    }

    /// Starts one member (again).
    func start(_ member: Member) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/etcd")
        let cluster = members.map { "\($0.name)=\($0.peerURL)" }.joined(separator: ",")
        process.arguments = [
            "--name", member.name, "--data-dir", directory.appendingPathComponent(member.name).path,
            "--listen-client-urls", member.clientURL, "--advertise-client-urls", member.clientURL,
            "--listen-peer-urls", member.peerURL, "--initial-advertise-peer-urls", member.peerURL,
            "--initial-cluster", cluster, "--initial-cluster-state", "new", "--initial-cluster-token", token,
            "--heartbeat-interval", "\(member.electionTimeoutMilliseconds / 10)",
            "--election-timeout", "\(member.electionTimeoutMilliseconds)",
            "--log-level", "error",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        processes.withLock { $0[member.name] = process }
    }

    /// Kills one member at once.
    func stop(_ member: Member) {
        guard let process = processes.withLock({ $0.removeValue(forKey: member.name) }) else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Pauses one member (`SIGSTOP`): its port still accepts connections, but nothing answers,
    /// as with a member beyond a partition.
    func pause(_ member: Member) {
        guard let process = processes.withLock({ $0[member.name] }) else { return }
        kill(process.processIdentifier, SIGSTOP)
    }

    /// Resumes a paused member.
    func resume(_ member: Member) {
        guard let process = processes.withLock({ $0[member.name] }) else { return }
        kill(process.processIdentifier, SIGCONT)
    }

    /// A member's answer to a JSON gateway call, or `nil` when it does not answer.
    func call(_ path: String, _ body: String, member: Member? = nil) -> [String: Any]? {
        let target = member ?? members[0]
        guard
            let (status, output) = try? run(
                "/usr/bin/curl",
                ["-s", "--max-time", "2", "-X", "POST", "\(target.clientURL)\(path)", "-d", body]),
            status == 0
        else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any]
    }

    /// Every key under a prefix and its value, read from etcd itself (linearizable).
    func keys(prefix: String) -> [String: String]? {
        entries(prefix: prefix)?.mapValues(\.value)
    }

    /// Every key under a prefix with its value and the lease it lives under (as etcd writes
    /// it, a decimal string), read from etcd itself (linearizable).
    func entries(prefix: String) -> [String: (value: String, lease: String)]? {
        let start = Data(prefix.utf8).base64EncodedString()
        var end = Array(prefix.utf8)
        end[end.count - 1] += 1
        let body = #"{"key": "\#(start)", "range_end": "\#(Data(end).base64EncodedString())"}"#
        for member in members {
            guard let answer = call("/v3/kv/range", body, member: member), answer["header"] != nil else {
                continue
            }
            var entries: [String: (value: String, lease: String)] = [:]
            for kv in answer["kvs"] as? [[String: Any]] ?? [] {
                let key = Data(base64Encoded: kv["key"] as? String ?? "").map {
                    String(decoding: $0, as: UTF8.self)
                }
                let value = Data(base64Encoded: kv["value"] as? String ?? "").map {
                    String(decoding: $0, as: UTF8.self)
                }
                if let key { entries[key] = (value ?? "", kv["lease"] as? String ?? "0") }
            }
            return entries
        }
        return nil
    }

    /// The member that says it leads, or `nil` while none does.
    func leader() -> Member? {
        members.first { member in
            guard let status = call("/v3/maintenance/status", "{}", member: member),
                let header = status["header"] as? [String: Any], let id = header["member_id"] as? String
            else { return false }
            return status["leader"] as? String == id
        }
    }

    /// Waits until a linearizable read succeeds: the cluster has a leader.
    func waitUntilServing(timeout: Double = 20) async throws {
        try await waitUntil("etcd to serve", timeout: timeout) { keys(prefix: "/") != nil }
    }
}
