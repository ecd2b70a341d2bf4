import Dispatch
import Foundation
import Logging
import SluiceCore
import SluiceSRT
import SluiceSystem
import Synchronization

/// Sluice's SRT front door: the listener, the handshake that admits or refuses each caller,
/// and the sessions of the streams being published. Readers (`m=request`) are decided with the
/// ``ReaderGate`` and handed to it once accepted.
///
/// A caller is decided on in libsrt's handshake callback (see `IngestService+Handshake.swift`),
/// so a refused caller never becomes a connection. An admitted one is accepted on its
/// listener's `srt-accept-<n>` thread, registered under its name and given a thread of its own
/// for its session (see `IngestService+Accept.swift`).
public final class IngestService: Sendable {
    let config: ConfigStore
    let memory: MemoryController
    let receiveCapacity: ReceiveCapacity
    let logger: Logger
    let readers: any ReaderGate
    let observer: any StreamObserver
    /// Who holds stream names across the cluster; on a single node, this node alone.
    let directory: any StreamDirectory
    let registry = SessionRegistry()
    let relays = RelayTable()
    /// Publishers refused in the handshake since start, by reason label: counted once each,
    /// where they are refused.
    public let refusals = ReasonCounter()
    /// Streams ended since start, by reason label (`ended`, `idle_timeout`, `not_a_stream`, ...).
    public let endings = ReasonCounter()
    /// How long after libsrt made the message that completed a frame available (its play time)
    /// the frame was in its buffer, visible to readers; up to seconds when the cores are short.
    public let frameVisibility = LatencyHistogram(
        bounds: [0.000_1, 0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5])
    /// How many streams probe their codecs at once (`srt.probe_concurrency`).
    public let probes: ProbeGate
    let admitting = Atomic<Bool>(true)
    let stopping = Atomic<Bool>(false)
    let sessionThreads = DispatchGroup()
    private let running = Mutex<Running?>(nil)

    private struct Running: Sendable {
        var listeners: SRTListenerGroup
        /// The accepting threads, one per listener, until the listeners close.
        var accepting: DispatchGroup
    }

    /// Creates the service; nothing listens until ``start()``.
    /// - Parameters:
    ///   - config: The configuration in force, read at every handshake and accept.
    ///   - memory: The memory controller every stream's frames are admitted through.
    ///   - receiveCapacity: How busy libsrt's receive threads are.
    ///   - readers: Decides on readers and serves them.
    ///   - observer: Told of every publisher accepted.
    ///   - directory: Who holds stream names across the cluster: every publisher's name is
    ///     claimed in it after accept, and released when its stream ends.
    ///   - logger: Where connects, refusals, live streams and disconnects are logged.
    public init(
        config: ConfigStore, memory: MemoryController, receiveCapacity: ReceiveCapacity,
        readers: any ReaderGate, observer: any StreamObserver,
        directory: any StreamDirectory = LocalStreamDirectory(), logger: Logger
    ) {
        self.config = config
        self.memory = memory
        self.receiveCapacity = receiveCapacity
        self.readers = readers
        self.observer = observer
        self.directory = directory
        self.logger = logger
        probes = ProbeGate(
            slots: config.current.srt.probeConcurrency.resolved(
                cores: ProcessInfo.processInfo.activeProcessorCount))
    }

    /// Binds the SRT listeners (`srt.receive_threads` of them on `srt.listen`) and starts
    /// accepting publishers.
    /// - Throws: `SRTError` if a listener cannot be set up.
    public func start() throws {
        let srt = config.current.srt
        let listeners = try SRTListenerGroup(
            options: SRTListenerOptions(
                host: srt.listen.host, port: srt.listen.port, latencyMilliseconds: srt.latencyMilliseconds,
                passphrase: srt.passphrase, keyLength: srt.keyLength,
                receiveBufferBytes: srt.receiveBuffer.bytes, udpReceiveBufferBytes: srt.udpReceiveBuffer.bytes
            ),
            count: srt.receiveThreads.resolved(cores: ProcessInfo.processInfo.activeProcessorCount),
            handshake: { [weak self] request in self?.handshake(request) ?? .reject(.down) })
        let accepting = DispatchGroup()
        running.withLock { $0 = Running(listeners: listeners, accepting: accepting) }
        for index in 0..<listeners.count {
            accepting.enter()
            Thread(kernelName: "srt-accept-\(index)") { [self] in
                acceptLoop(listeners, listener: index)
                accepting.leave()
            }.start()
        }
        logger.info(
            "listening",
            metadata: [
                "srt": "\(srt.listen.host):\(listeners.port)", "latency_ms": "\(srt.latencyMilliseconds)",
                "encrypted": "\(srt.passphrase != nil)", "receive_threads": "\(listeners.count)",
            ])
    }

    /// The port the SRT listener is bound to, once started.
    public var port: UInt16? { running.withLock { $0?.listeners.port } }

    /// How many SRT listeners (each with its own libsrt receive thread) share the port.
    public var listenerCount: Int { running.withLock { $0?.listeners.count ?? 0 } }

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
        if let why = directory.unavailability() { return .clusterUnavailable(why) }
        return capacityRefusal().map(HandshakeRefusal.capacity)
    }

    /// Refuses every new caller from now on with 1503 (service down); live streams go on.
    /// The first step of ``shutdown()``, and a way to drain a server before maintenance.
    public func stopAdmitting() {
        guard admitting.exchange(false, ordering: .acquiringAndReleasing) else { return }
        logger.info("no longer admitting publishers", metadata: ["streams": "\(registry.count)"])
    }

    /// Stops ingest: new callers are refused with 1503 while every session is closed and its
    /// buffer freed, then the listeners close. Returns within about 1.5 seconds (3 if a caller
    /// was being opened as admission stopped).
    public func shutdown() {
        stopAdmitting()
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        guard let running = running.withLock({ $0 }) else { return }
        logger.info("shutting down", metadata: ["streams": "\(registry.count)"])
        // The listeners stay open meanwhile, to refuse new callers with 1503 instead of
        // leaving them unanswered; a caller accepted meanwhile is closed (`admitting` is off).
        stopEverySession()
        running.listeners.close()
        running.accepting.wait()
        // A caller the accept thread was already opening when admission stopped may have
        // registered after the sweep above: with the accept threads gone, none can come now.
        if !registry.all.isEmpty { stopEverySession() }
        logger.info("stopped")
    }

    /// Stops every registered session and waits up to 1.5 seconds for their threads.
    private func stopEverySession() {
        for session in registry.all { session.stop(.shutdown) }
        if sessionThreads.wait(timeout: .now() + 1.5) == .timedOut {
            logger.warning("some streams did not close in time")
        }
    }
}
