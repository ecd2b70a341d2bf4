import Logging
import SluiceCore
import Synchronization

/// Every ``Forwarder``: one per live stream and destination that the `forward` rules name.
///
/// A stream's forwarders start when its publisher is accepted (they wait for its first frame)
/// and end with the stream. A reload applies the rules again to every live stream: a forwarder
/// no rule names any more stops, a new destination gets one, and a changed URL is a new
/// destination, so its forwarder restarts; the others go on undisturbed.
public final class Forwarding: Sendable {
    private let delivery: Delivery
    private let forwarders = Mutex<[Key: Forwarder]>([:])

    /// A stream (by its buffer: a name may be published again) and a destination.
    private struct Key: Hashable {
        var stream: ObjectIdentifier
        var destination: ForwardDestination
    }

    /// Creates the forwarding side; nothing runs until a stream comes.
    /// - Parameter delivery: Where forwarders open their readers; its configuration holds the
    ///   rules.
    public init(delivery: Delivery) {
        self.delivery = delivery
    }

    /// Applies the rules in force to streams: starts a forwarder for every destination a
    /// stream's name matches that has none, and stops those of these streams that no rule
    /// names any more.
    /// - Parameter sources: The streams: a publisher just accepted, or every live one on reload.
    public func apply(to sources: [MuxSource]) {
        let config = delivery.config.current
        var wanted: [Key: (source: MuxSource, destination: ForwardDestination)] = [:]
        for source in sources where !source.buffer.arrivals.ended {
            for destination in config.forwardDestinations(for: source.name) {
                wanted[Key(stream: ObjectIdentifier(source.buffer), destination: destination)] = (
                    source, destination
                )
            }
        }
        let streams = Set(sources.map { ObjectIdentifier($0.buffer) })
        let (started, stopped) = forwarders.withLock { forwarders -> ([Forwarder], [Forwarder]) in
            let unwanted = forwarders.filter { streams.contains($0.key.stream) && wanted[$0.key] == nil }
            for key in unwanted.keys { forwarders[key] = nil }
            var started: [Forwarder] = []
            for (key, target) in wanted where forwarders[key] == nil {
                let forwarder = Forwarder(
                    source: target.source, destination: target.destination, delivery: delivery)
                forwarders[key] = forwarder
                started.append(forwarder)
            }
            return (started, Array(unwanted.values))
        }
        for forwarder in stopped {
            delivery.logger.info("forward stopped", metadata: metadata(forwarder, reason: "rule_removed"))
            forwarder.stop()
        }
        for forwarder in started {
            delivery.logger.info("forward started", metadata: metadata(forwarder, reason: nil))
            forwarder.start { [self] in ended($0) }
        }
    }

    private func ended(_ forwarder: Forwarder) {
        let key = Key(stream: ObjectIdentifier(forwarder.source.buffer), destination: forwarder.destination)
        let removed = forwarders.withLock { forwarders in
            guard forwarders[key] === forwarder else { return false }
            forwarders[key] = nil
            return true
        }
        // One that was stopped was taken off and logged already.
        if removed {
            delivery.logger.info("forward stopped", metadata: metadata(forwarder, reason: "stream_ended"))
        }
    }

    private func metadata(_ forwarder: Forwarder, reason: String?) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "stream": "\(forwarder.source.name)", "destination": "\(forwarder.destination.redacted)",
        ]
        if let reason { metadata["reason"] = "\(reason)" }
        return metadata
    }

    /// Every forward destination of every stream, sorted by stream and destination.
    public var statuses: [ForwardStatus] {
        forwarders.withLock { Array($0.values) }.map(\.status).sorted {
            ($0.stream, $0.destination) < ($1.stream, $1.destination)
        }
    }

    /// The forward destinations of one stream, sorted by destination.
    /// - Parameter name: The stream.
    public func statuses(of name: StreamName) -> [ForwardStatus] {
        forwarders.withLock { $0.values.filter { $0.source.name == name } }.map(\.status).sorted {
            $0.destination < $1.destination
        }
    }
}
