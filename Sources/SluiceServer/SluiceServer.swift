import Dispatch
import Foundation
import Logging
import SluiceCore
import SluiceSRT
import Synchronization

/// The Sluice ingest server: an SRT listener that admits publishers in the handshake and runs
/// one ingest pipeline per stream.
///
/// Build one with a ``Config``, call ``start()``, and ``shutdown()`` when done; or run it as a
/// `ServiceLifecycle` service (see `SluiceServer+Service.swift`), which does both.
public final class SluiceServer: Sendable {
    /// The configuration the server runs with.
    public let config: Config
    let logger: Logger
    let registry = StreamRegistry()
    private let policy: HandshakePolicy
    private let shuttingDown = Atomic<Bool>(false)
    private let admitting = Atomic<Bool>(true)
    private let running = Mutex<Running?>(nil)
    private let ingestThreads = DispatchGroup()

    private struct Running: Sendable {
        var listener: SRTListener
        var acceptLoopDone: DispatchSemaphore
    }

    /// Creates a server; nothing listens until ``start()``.
    /// - Parameters:
    ///   - config: The configuration.
    ///   - logger: Where connects, refusals, live streams and disconnects are logged.
    public init(config: Config, logger: Logger) {
        self.config = config
        self.logger = logger
        self.policy = HandshakePolicy(onDuplicate: config.srt.onDuplicate, maxStreams: config.srt.maxStreams)
    }

    /// Binds the SRT listener and starts accepting publishers.
    /// - Throws: `SRTError` if the listener cannot be set up.
    public func start() throws {
        let srt = config.srt
        let listener = try SRTListener(
            options: SRTListenerOptions(
                host: srt.listen.host, port: srt.listen.port, latencyMilliseconds: srt.latencyMilliseconds,
                passphrase: srt.passphrase, keyLength: srt.keyLength),
            handshake: { [weak self] request in self?.handshake(request) ?? .reject(.down) })
        let done = DispatchSemaphore(value: 0)
        running.withLock { $0 = Running(listener: listener, acceptLoopDone: done) }
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
    public var srtPort: UInt16? { running.withLock { $0?.listener.port } }

    /// The live streams, sorted by name.
    public var streams: [IngestStream] { registry.all }

    /// The live stream with this name.
    /// - Parameter name: The stream name.
    public func stream(named name: String) -> IngestStream? {
        (try? StreamName(name)).flatMap(registry.stream(named:))
    }

    private func handshake(_ request: HandshakeRequest) -> HandshakeDecision {
        let verdict = policy.decide(
            rawStreamID: request.streamID, shuttingDown: !admitting.load(ordering: .acquiring),
            isLive: registry.isLive, liveCount: registry.count)
        switch verdict {
        case .accept:
            return .accept
        case .reject(let reason, let why):
            logger.warning(
                "refused",
                metadata: [
                    "peer": "\(request.peer)", "stream_id": "\(request.streamID)",
                    "code": "\(reason.code)", "reason": "\(why)",
                ])
            return .reject(reason)
        }
    }

    private func acceptLoop(_ listener: SRTListener) {
        while !shuttingDown.load(ordering: .acquiring) {
            do {
                if let connection = try listener.accept(timeoutMilliseconds: 100) {
                    admit(connection)
                }
            } catch {
                if shuttingDown.load(ordering: .acquiring) { break }
                logger.error("accept failed", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }

    private func admit(_ connection: SRTConnection) {
        // The handshake already vetted the id; parse it again for the name.
        guard let id = try? StreamID(parsing: connection.streamID), admitting.load(ordering: .acquiring)
        else {
            connection.close()
            return
        }
        let stream = IngestStream(name: id.name, connection: connection, limits: config.buffer.limits)
        switch registry.register(stream, replacing: config.srt.onDuplicate == .replace) {
        case .failure:
            // Two callers passed the handshake for one name before either was registered.
            logger.warning(
                "refused",
                metadata: [
                    "peer": "\(connection.peer)", "stream_id": "\(connection.streamID)",
                    "reason": "'\(id.name)' was registered by another publisher during the handshake",
                ])
            stream.noteEnd(.duplicate)
            connection.close()
            return
        case .success(let displaced):
            if let displaced {
                logger.info(
                    "replacing publisher",
                    metadata: [
                        "stream": "\(id.name)", "old_peer": "\(displaced.peer)",
                        "new_peer": "\(connection.peer)",
                    ])
                displaced.stop(.replaced)
            }
        }
        logger.info(
            "connected",
            metadata: [
                "stream": "\(id.name)", "peer": "\(connection.peer)", "stream_id": "\(connection.streamID)",
            ])
        ingestThreads.enter()
        let idleTimeout = Duration.milliseconds(config.srt.idleTimeoutMilliseconds)
        let thread = Thread { [self] in
            stream.runPipeline(idleTimeout: idleTimeout, logger: logger)
            finish(stream)
            ingestThreads.leave()
        }
        thread.name = "ingest \(id.name)"
        thread.start()
    }

    private func finish(_ stream: IngestStream) {
        registry.remove(stream)
        stream.connection.close()
        let counters = stream.buffer.counters
        let released = stream.buffer.removeAll()
        stream.markFinished()
        let seconds =
            Double((ContinuousClock.now - stream.connectedAt).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - stream.connectedAt).components.seconds)
        logger.info(
            "disconnected",
            metadata: [
                "stream": "\(stream.name)", "peer": "\(stream.peer)",
                "reason": "\(stream.endReason ?? .ended)",
                "duration_s": "\(String(format: "%.1f", seconds))",
                "bytes_received": "\(stream.bytesReceived)",
                "video_frames": "\(counters.framesReceived[.video, default: 0])",
                "audio_frames": "\(counters.framesReceived[.audio, default: 0])",
                "metadata_frames": "\(counters.framesReceived[.metadata, default: 0])",
                "gops": "\(counters.keyframesReceived)",
                "frames_dropped": "\(counters.framesDropped.values.reduce(0, +))",
                "corrupt_packets": "\(stream.corruptPacketCount)",
                "released_bytes": "\(released)",
            ])
    }

    /// Refuses every new caller from now on with 1503 (service down); live streams go on.
    /// The first step of ``shutdown()``, and a way to drain a server before maintenance.
    public func stopAdmitting() {
        guard admitting.exchange(false, ordering: .acquiringAndReleasing) else { return }
        logger.info("no longer admitting publishers", metadata: ["streams": "\(registry.count)"])
    }

    /// Stops the server: new callers are refused with 1503 while every stream is closed and its
    /// buffer freed, then the listener closes. Returns within about 1.5 seconds.
    public func shutdown() {
        stopAdmitting()
        guard !shuttingDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        guard let running = running.withLock({ $0 }) else { return }
        logger.info("shutting down", metadata: ["streams": "\(registry.count)"])
        running.acceptLoopDone.wait()
        for stream in registry.all { stream.stop(.shutdown) }
        if ingestThreads.wait(timeout: .now() + 1.5) == .timedOut {
            logger.warning("some streams did not close in time")
        }
        running.listener.close()
        logger.info("stopped")
    }
}
