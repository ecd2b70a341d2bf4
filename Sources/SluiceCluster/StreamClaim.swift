import Foundation
import SluiceCore

/// Claims on stream names in etcd. A claim is the key `<prefix>streams/<name>`, written under
/// the node's lease so it dies with the node, its value naming the node. Nothing is written
/// unconditionally: a claim is created only where no key is (its create revision is 0), and
/// a claim is changed or deleted only at the revision it was written with, so a node that
/// lost a name can never take it back from its new owner.
struct StreamClaim: Sendable {
    /// What a claim's value holds.
    struct Record: Codable, Sendable {
        /// The node that holds the name.
        var node: String
    }

    /// What a claim attempt found.
    enum Outcome: Sendable, Equatable {
        /// This node holds the name, written at this revision.
        case claimed(revision: Int64)
        /// Someone holds it: the node named, under a lease.
        case held(node: String, lease: Int64, revision: Int64)
    }

    let client: EtcdClient
    let prefix: String
    let nodeID: String

    /// The key of a name's claim.
    func key(_ name: StreamName) -> String { "\(prefix)streams/\(name)" }

    /// The prefix every claim is under.
    var streamsPrefix: String { "\(prefix)streams/" }

    /// The name a claim's key stands for, or `nil` for a key that is not a claim.
    func name(ofKey key: String) -> StreamName? {
        guard key.hasPrefix(streamsPrefix) else { return nil }
        return try? StreamName(String(key.dropFirst(streamsPrefix.count)))
    }

    /// Claims a name under `lease`, if nobody holds it.
    /// - Parameters:
    ///   - name: The stream name.
    ///   - lease: This node's lease.
    ///   - timeout: How long the transaction may take.
    /// - Returns: The revision it was claimed at, or who holds it.
    func claim(_ name: StreamName, lease: Int64, timeout: Duration) async throws(EtcdError) -> Outcome {
        let key = key(name)
        let result = try await client.transaction(
            EtcdTransaction(
                compare: [.createRevision(key: key, equals: 0)],
                success: [.put(key: key, value: Self.encode(Record(node: nodeID)), lease: lease)],
                failure: [.get(key: key)]),
            timeout: timeout)
        if result.succeeded { return .claimed(revision: result.revision) }
        guard let found = result.found.first else {
            // Deleted between the comparison and the read cannot happen in one transaction;
            // an empty read means the answer was not what etcd sends.
            throw .malformed("a failed claim of \(key) read nothing")
        }
        return .held(
            node: Self.decode(found.value)?.node ?? "unknown", lease: found.lease, revision: found.modRevision
        )
    }

    /// Moves a claim this node wrote under an earlier lease, or for an earlier publisher of
    /// the same name, to `lease`: only if nobody wrote the key since `revision`.
    /// - Returns: The new revision, or `nil` when the key changed since.
    func renew(_ name: StreamName, from revision: Int64, lease: Int64, timeout: Duration)
        async throws(EtcdError)
        -> Int64?
    {
        let key = key(name)
        let result = try await client.transaction(
            EtcdTransaction(
                compare: [.modRevision(key: key, equals: revision)],
                success: [.put(key: key, value: Self.encode(Record(node: nodeID)), lease: lease)]),
            timeout: timeout)
        return result.succeeded ? result.revision : nil
    }

    /// Deletes a claim, only if nobody wrote it since this node did at `revision`.
    /// - Returns: Whether the claim was still this node's and is gone now.
    @discardableResult
    func release(_ name: StreamName, revision: Int64, timeout: Duration) async throws(EtcdError) -> Bool {
        let key = key(name)
        return try await client.transaction(
            EtcdTransaction(
                compare: [.modRevision(key: key, equals: revision)], success: [.delete(key: key)]),
            timeout: timeout
        ).succeeded
    }

    static func encode(_ record: Record) -> Data { (try? JSONEncoder().encode(record)) ?? Data() }

    static func decode(_ value: Data) -> Record? { try? JSONDecoder().decode(Record.self, from: value) }
}
