import Foundation
import SluiceCore
import Synchronization

/// The cluster as this node last heard it: the nodes registered and who holds each stream
/// name. It is filled from one read of the cluster's prefix and kept current by a watch from
/// the next revision, so the handshake can ask it without waiting on etcd.
public final class ClusterView: Sendable {
    /// Who holds a name.
    public struct Owner: Sendable, Hashable {
        /// The node's id.
        public var node: String
        /// The lease the claim lives under.
        public var lease: Int64
        /// The revision the claim was written at.
        public var revision: Int64
    }

    /// A change to a name's claim, as a watch reports it.
    struct Change: Sendable {
        var name: StreamName
        /// The claim after the change; `nil` once deleted.
        var owner: Owner?
        /// The revision of the change.
        var revision: Int64
    }

    private struct State {
        var revision: Int64 = 0
        var nodes: [String: ClusterNode] = [:]
        var owners: [StreamName: Owner] = [:]
    }

    private let claims: StreamClaim
    private let state = Mutex(State())

    init(claims: StreamClaim) {
        self.claims = claims
    }

    private var nodesPrefix: String { "\(claims.prefix)nodes/" }

    /// The revision the view is current to: a watch resumes after it.
    public var revision: Int64 { state.withLock { $0.revision } }

    /// The nodes registered, by id.
    public var nodes: [ClusterNode] { state.withLock { $0.nodes.values.sorted { $0.id < $1.id } } }

    /// Every claimed name and its owner, by name.
    public var owners: [(name: StreamName, owner: Owner)] {
        state.withLock { $0.owners.map { ($0.key, $0.value) }.sorted { $0.name.value < $1.name.value } }
    }

    /// Who holds a name, as last heard.
    /// - Parameter name: A stream name.
    public func owner(of name: StreamName) -> Owner? { state.withLock { $0.owners[name] } }

    /// The node registered under an id.
    /// - Parameter id: A node id.
    public func node(_ id: String) -> ClusterNode? { state.withLock { $0.nodes[id] } }

    /// Replaces the view with a read of the whole prefix.
    /// - Parameters:
    ///   - keys: Every key under the prefix.
    ///   - revision: The revision they were read at.
    /// - Returns: The names whose claim differs from what the view held.
    func reset(keys: [EtcdKeyValue], revision: Int64) -> [Change] {
        var fresh = State(revision: revision)
        for keyValue in keys {
            Self.apply(keyValue, isDelete: false, to: &fresh, claims: claims, nodes: nodesPrefix)
        }
        return state.withLock { state in
            let names = Set(state.owners.keys).union(fresh.owners.keys)
            let changes = names.filter { state.owners[$0] != fresh.owners[$0] }.map {
                Change(name: $0, owner: fresh.owners[$0], revision: revision)
            }
            state = fresh
            return changes
        }
    }

    /// Applies one message of the watch.
    /// - Parameter batch: The message.
    /// - Returns: The claims it changed, in order.
    func apply(_ batch: EtcdWatchBatch) -> [Change] {
        state.withLock { state in
            var changes: [Change] = []
            for event in batch.events {
                Self.apply(
                    event.keyValue, isDelete: event.isDelete, to: &state, claims: claims, nodes: nodesPrefix)
                if let name = claims.name(ofKey: event.keyValue.key) {
                    changes.append(
                        Change(name: name, owner: state.owners[name], revision: event.keyValue.modRevision))
                }
            }
            state.revision = max(state.revision, batch.revision)
            return changes
        }
    }

    private static func apply(
        _ keyValue: EtcdKeyValue, isDelete: Bool, to state: inout State, claims: StreamClaim, nodes: String
    ) {
        if let name = claims.name(ofKey: keyValue.key) {
            if isDelete {
                state.owners[name] = nil
            } else {
                let node = StreamClaim.decode(keyValue.value)?.node ?? "unknown"
                state.owners[name] = Owner(node: node, lease: keyValue.lease, revision: keyValue.modRevision)
            }
        } else if keyValue.key.hasPrefix(nodes) {
            let id = String(keyValue.key.dropFirst(nodes.count))
            if isDelete {
                state.nodes[id] = nil
            } else {
                state.nodes[id] =
                    (try? JSONDecoder().decode(ClusterNode.self, from: keyValue.value))
                    ?? ClusterNode(id: id, advertiseSRT: nil, advertiseHTTP: nil)
            }
        }
    }
}
