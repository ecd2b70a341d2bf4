import SluiceCore
import Synchronization

/// Measures libsrt's receive threads once a second, so the handshake can refuse a publisher
/// the receive threads could not carry (see ``ReceiveCapacity``). Reading a few `/proc` files
/// does not block, so it runs as a task on the cooperative pool.
public final class ReceiveCapacityMonitor: Sendable {
    private let capacity: ReceiveCapacity
    private let ingest: IngestService
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// How often the receive threads are measured: long enough for a share of a core to mean
    /// something, short enough for a burst of publishers to be seen.
    public static let interval = Duration.seconds(1)

    /// Creates the monitor; nothing is measured until ``start()``.
    /// - Parameters:
    ///   - capacity: The estimate to keep current.
    ///   - ingest: Whose live streams the receive threads serve.
    public init(capacity: ReceiveCapacity, ingest: IngestService) {
        self.capacity = capacity
        self.ingest = ingest
    }

    /// Starts measuring.
    public func start() {
        task.withLock { task in
            guard task == nil else { return }
            task = Task { [capacity, ingest] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.interval)
                    capacity.update(liveStreams: ingest.sessions.count, now: .now)
                }
            }
        }
    }

    /// Stops measuring.
    public func stop() {
        task.withLock { $0?.cancel() }
    }
}
