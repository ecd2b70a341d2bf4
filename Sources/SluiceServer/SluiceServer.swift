import Dispatch
import Foundation
import Logging
import SluiceCore
import SluiceSRT
import SluiceSystem
import Synchronization

/// The Sluice ingest server: an SRT listener that admits publishers in the handshake, one
/// ingest pipeline per stream, and the memory controller that keeps them all inside the budget.
///
/// Build one with a ``Config``, call ``start()``, and ``shutdown()`` when done; or run it as a
/// `ServiceLifecycle` service (see `SluiceServer+Service.swift`), which does both.
public final class SluiceServer: Sendable {
    /// The configuration in force (after any reloads).
    public var config: Config { configuration.withLock { $0 } }
    /// The file the configuration was read from, re-read on reload.
    public let configPath: String?
    /// The memory controller.
    public let memory: MemoryController
    let configuration: Mutex<Config>
    let logger: Logger
    let registry = StreamRegistry()
    /// Publishers refused in the handshake, by reason: counted once each, where they are refused.
    let refusals = RefusalCounter()
    let httpPortValue = Atomic<Int>(0)
    let containerLimit: (bytes: Int, source: String)?
    let physicalMemory: Int
    let shuttingDown = Atomic<Bool>(false)
    let admitting = Atomic<Bool>(true)
    private let running = Mutex<Running?>(nil)
    let ingestThreads = DispatchGroup()

    private struct Running: Sendable {
        var listener: SRTListener
        var loopsDone: DispatchSemaphore
    }

    /// Creates a server; nothing listens until ``start()``.
    /// - Parameters:
    ///   - config: The configuration.
    ///   - configPath: The file it came from, re-read by ``reload()``.
    ///   - logger: Where connects, refusals, live streams, disconnects and pressure are logged.
    ///   - probe: Measures the process for the memory controller.
    ///   - containerLimit: The cgroup memory limit, for `memory.global_limit: "auto"`.
    ///   - physicalMemory: The machine's memory, for `"auto"`.
    public init(
        config: Config, configPath: String? = nil, logger: Logger, probe: any MemoryProbe = ProcessMemory(),
        containerLimit: (bytes: Int, source: String)? = CgroupMemory().limit(),
        physicalMemory: Int = ProcessMemory.physicalMemory
    ) {
        configuration = Mutex(config)
        self.configPath = configPath
        self.logger = logger
        self.containerLimit = containerLimit
        self.physicalMemory = physicalMemory
        let budget = MemoryBudget.resolve(
            config.memory.globalLimit, fraction: config.memory.autoFraction, containerLimit: containerLimit,
            physicalMemory: physicalMemory)
        memory = MemoryController(config: config.memory, budget: budget, probe: probe, now: .now)
    }

    /// Makes the settings that belong to the whole process and must come before threads start
    /// allocating: the number of glibc malloc arenas (`memory.malloc_arena_max`).
    /// - Parameter config: The configuration.
    public static func prepareProcess(_ config: Config) {
        ProcessMemory.setMallocArenaMax(config.memory.mallocArenaMax)
    }

    /// Binds the SRT listener and starts accepting publishers and watching memory.
    /// - Throws: `SRTError` if the listener cannot be set up.
    public func start() throws {
        let srt = config.srt
        let listener = try SRTListener(
            options: SRTListenerOptions(
                host: srt.listen.host, port: srt.listen.port, latencyMilliseconds: srt.latencyMilliseconds,
                passphrase: srt.passphrase, keyLength: srt.keyLength,
                receiveBufferBytes: srt.receiveBuffer.bytes, udpReceiveBufferBytes: srt.udpReceiveBuffer.bytes
            ),
            handshake: { [weak self] request in self?.handshake(request) ?? .reject(.down) })
        let done = DispatchSemaphore(value: 0)
        running.withLock { $0 = Running(listener: listener, loopsDone: done) }
        let acceptThread = Thread { [self] in
            acceptLoop(listener)
            done.signal()
        }
        acceptThread.name = "srt-accept"
        acceptThread.start()
        let monitorThread = Thread { [self] in
            monitorLoop()
            done.signal()
        }
        monitorThread.name = "memory-monitor"
        monitorThread.start()
        let budget = memory.budget
        logger.info(
            "memory budget",
            metadata: [
                "limit_bytes": "\(budget.bytes)", "source": "\(budget.source)",
                "base_bytes": "\(memory.base)",
                "per_stream_limit": "\(config.memory.perStreamLimit)",
            ])
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
        running.loopsDone.wait()
        running.loopsDone.wait()
        for stream in registry.all { stream.stop(.shutdown) }
        if ingestThreads.wait(timeout: .now() + 1.5) == .timedOut {
            logger.warning("some streams did not close in time")
        }
        running.listener.close()
        logger.info("stopped")
    }
}
