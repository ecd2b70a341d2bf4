import Dispatch
import Foundation
import Logging
import SluiceCore
import SluiceSRT
import Synchronization

/// Sluice's SRT front door: the listener, the handshake that admits or refuses each caller,
/// and the sessions of the streams being published. Readers (`m=request`) are decided with the
/// ``ReaderGate`` and handed to it once accepted.
///
/// A caller is decided on in libsrt's handshake callback (see `IngestService+Handshake.swift`),
/// so a refused caller never becomes a connection. An admitted one is accepted on the
/// `srt-accept` thread, registered under its name and given a thread of its own for its
/// session (see `IngestService+Accept.swift`).
public final class IngestService: Sendable {
    let config: ConfigStore
    let memory: MemoryController
    let logger: Logger
    let readers: any ReaderGate
    let registry = SessionRegistry()
    /// Publishers refused in the handshake since start, by reason label: counted once each,
    /// where they are refused.
    public let refusals = RefusalCounter()
    let admitting = Atomic<Bool>(true)
    let stopping = Atomic<Bool>(false)
    let sessionThreads = DispatchGroup()
    private let running = Mutex<Running?>(nil)

    private struct Running: Sendable {
        var listener: SRTListener
        var acceptDone: DispatchSemaphore
    }

    /// Creates the service; nothing listens until ``start()``.
    /// - Parameters:
    ///   - config: The configuration in force, read at every handshake and accept.
    ///   - memory: The memory controller every stream's frames are admitted through.
    ///   - readers: Decides on readers and serves them.
    ///   - logger: Where connects, refusals, live streams and disconnects are logged.
    public init(config: ConfigStore, memory: MemoryController, readers: any ReaderGate, logger: Logger) {
        self.config = config
        self.memory = memory
        self.readers = readers
        self.logger = logger
    }

    /// Binds the SRT listener and starts accepting publishers.
    /// - Throws: `SRTError` if the listener cannot be set up.
    public func start() throws {
        let srt = config.current.srt
        let listener = try SRTListener(
            options: SRTListenerOptions(
                host: srt.listen.host, port: srt.listen.port, latencyMilliseconds: srt.latencyMilliseconds,
                passphrase: srt.passphrase, keyLength: srt.keyLength,
                receiveBufferBytes: srt.receiveBuffer.bytes, udpReceiveBufferBytes: srt.udpReceiveBuffer.bytes
            ),
            handshake: { [weak self] request in self?.handshake(request) ?? .reject(.down) })
        let done = DispatchSemaphore(value: 0)
        running.withLock { $0 = Running(listener: listener, acceptDone: done) }
        let thread = Thread { [self] in
            acceptLoop(listener)
            done.signal()
        }
        thread.name = "srt-accept"
        thread.start()
        logger.info(
            "listening",
            metadata: [
                "srt": "\(srt.listen.host):\(listener.port)", "latency_ms": "\(srt.latencyMilliseconds)",
                "encrypted": "\(srt.passphrase != nil)",
            ])
    }

    /// The port the SRT listener is bound to, once started.
    public var port: UInt16? { running.withLock { $0?.listener.port } }

    /// The live sessions, sorted by stream name.
    public var sessions: [IngestSession] { registry.all }

    /// The live session publishing this name.
    /// - Parameter name: The stream name.
    public func session(named name: String) -> IngestSession? {
        (try? StreamName(name)).flatMap(registry.session(named:))
    }

    /// Why a new publisher would be refused now, or `nil` if one would be admitted. Only reads:
    /// asking changes no admission state and counts nothing (the readiness probe asks).
    public func readiness() -> HandshakeRefusal? {
        guard admitting.load(ordering: .acquiring) else { return .shuttingDown }
        return capacityRefusal().map(HandshakeRefusal.capacity)
    }

    /// Refuses every new caller from now on with 1503 (service down); live streams go on.
    /// The first step of ``shutdown()``, and a way to drain a server before maintenance.
    public func stopAdmitting() {
        guard admitting.exchange(false, ordering: .acquiringAndReleasing) else { return }
        logger.info("no longer admitting publishers", metadata: ["streams": "\(registry.count)"])
    }

    /// Stops ingest: new callers are refused with 1503 while every session is closed and its
    /// buffer freed, then the listener closes. Returns within about 1.5 seconds.
    public func shutdown() {
        stopAdmitting()
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        guard let running = running.withLock({ $0 }) else { return }
        logger.info("shutting down", metadata: ["streams": "\(registry.count)"])
        running.acceptDone.wait()
        for session in registry.all { session.stop(.shutdown) }
        if sessionThreads.wait(timeout: .now() + 1.5) == .timedOut {
            logger.warning("some streams did not close in time")
        }
        running.listener.close()
        logger.info("stopped")
    }
}
