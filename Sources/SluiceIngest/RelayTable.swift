import SluiceCore
import SluiceSRT
import Synchronization

/// The streams this node relays from the nodes that own them, and the readers waiting for a
/// relay that is starting: one relay per stream, however many readers ask at once.
final class RelayTable: Sendable {
    private struct State {
        /// Readers that arrived while their stream's relay was connecting, by stream.
        var waiting: [StreamName: [SRTConnection]] = [:]
        /// The streams relayed now, with the node each comes from.
        var relayed: [StreamName: String] = [:]
    }

    private let state = Mutex(State())

    /// Adds a reader to its stream's relay.
    /// - Returns: Whether the caller must start the relay: no relay of the stream was starting.
    func join(_ name: StreamName, reader: SRTConnection) -> Bool {
        state.withLock { state in
            let starts = state.waiting[name] == nil
            state.waiting[name, default: []].append(reader)
            return starts
        }
    }

    /// Hands over the readers that waited for a relay that is now serving (or failed), and
    /// records the relay as serving when `node` is given.
    func take(_ name: StreamName, servingFrom node: String?) -> [SRTConnection] {
        state.withLock { state in
            if let node { state.relayed[name] = node }
            return state.waiting.removeValue(forKey: name) ?? []
        }
    }

    /// Records that a relay ended.
    func end(_ name: StreamName) {
        state.withLock { _ = $0.relayed.removeValue(forKey: name) }
    }

    /// The streams relayed now, by name, with the node each comes from.
    var relayed: [(name: StreamName, node: String)] {
        state.withLock { $0.relayed.map { ($0.key, $0.value) }.sorted { $0.name.value < $1.name.value } }
    }
}
