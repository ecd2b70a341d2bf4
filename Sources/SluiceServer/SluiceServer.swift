import Foundation
import Logging
import ServiceLifecycle
import SluiceCluster
import SluiceCore
import SluiceDelivery
import SluiceIngest
import SluiceSystem

/// The Sluice server: the parts of a running ingest server, wired together.
///
/// - ``ingest``: the SRT listener, the handshake and one session per publisher;
/// - ``delivery`` and ``forwarding``: readers of the live streams, and forwarders that publish
///   them on;
/// - ``memory``: the controller that keeps every stream inside the budget;
/// - a monitor that ticks the controller, a reloader for SIGHUP and the admin API, and the
///   HTTP application (see `SluiceServer+HTTP.swift`).
///
/// Run it as services in a `ServiceGroup` (``services()``), or embed it with ``start()`` and
/// ``shutdown()``.
public final class SluiceServer: Sendable {
    /// The configuration in force (after any reloads).
    public let configuration: ConfigStore
    /// The memory controller.
    public let memory: MemoryController
    /// Publishers: the SRT listener and the live sessions.
    public let ingest: IngestService
    /// Readers: the streams' shared output and everyone reading it.
    public let delivery: Delivery
    /// Forwarders: live streams published on to other SRT listeners (`forward` rules).
    public let forwarding: Forwarding
    /// Re-reads the configuration file and applies it.
    public let reloader: ConfigReloader
    /// How busy libsrt's receive threads are.
    public let receiveCapacity: ReceiveCapacity
    /// This node's membership of a cluster, when `cluster.etcd.endpoints` is set.
    public let cluster: ClusterService?
    let monitor: MemoryMonitorService
    let receiveMonitor: ReceiveCapacityMonitor
    let logger: Logger
    let http = HTTPPort()

    /// Creates a server; nothing listens until it is started.
    /// - Parameters:
    ///   - config: The configuration.
    ///   - configPath: The file it came from, re-read on reload.
    ///   - logger: Where connects, refusals, live streams, disconnects and pressure are logged.
    ///   - probe: Measures the process for the memory controller.
    ///   - containerLimit: The cgroup memory limit, for `memory.global_limit: "auto"`.
    ///   - physicalMemory: The machine's memory, for `"auto"`.
    public init(
        config: Config, configPath: String? = nil, logger: Logger, probe: any MemoryProbe = ProcessMemory(),
        containerLimit: (bytes: Int, source: String)? = CgroupMemory().limit(),
        physicalMemory: Int = ProcessMemory.physicalMemory
    ) {
        let store = ConfigStore(config)
        let budgets = BudgetResolver(containerLimit: containerLimit, physicalMemory: physicalMemory)
        let memory = MemoryController(
            config: config.memory, budget: budgets.resolve(config.memory), probe: probe, now: .now)
        let receiveCapacity = ReceiveCapacity(probe: ProcessThreads(), now: .now)
        let delivery = Delivery(config: store, memory: memory, logger: logger)
        let forwarding = Forwarding(delivery: delivery)
        let cluster =
            config.cluster.isEnabled
            ? ClusterService(
                config: config.cluster,
                node: ClusterNode(config: config, hostName: ProcessInfo.processInfo.hostName), logger: logger)
            : nil
        let ingest = IngestService(
            config: store, memory: memory, receiveCapacity: receiveCapacity,
            readers: SRTReaderGate(delivery: delivery), observer: ForwardingObserver(forwarding: forwarding),
            directory: cluster ?? LocalStreamDirectory(), logger: logger)
        self.cluster = cluster
        configuration = store
        self.delivery = delivery
        self.forwarding = forwarding
        self.memory = memory
        self.ingest = ingest
        self.receiveCapacity = receiveCapacity
        self.logger = logger
        receiveMonitor = ReceiveCapacityMonitor(capacity: receiveCapacity, ingest: ingest)
        monitor = MemoryMonitorService(config: store, memory: memory, ingest: ingest, logger: logger)
        reloader = ConfigReloader(
            path: configPath, store: store, memory: memory, ingest: ingest, forwarding: forwarding,
            budgets: budgets, logger: logger)
    }

    /// The configuration in force.
    public var config: Config { configuration.current }

    /// Makes the settings that belong to the whole process and must come before threads start
    /// allocating: the number of glibc malloc arenas (`memory.malloc_arena_max`) and the size
    /// from which an allocation is a mapping of its own (`memory.malloc_mmap_threshold`).
    /// - Parameter config: The configuration.
    public static func prepareProcess(_ config: Config) {
        ProcessMemory.setMallocArenaMax(config.memory.mallocArenaMax)
        ProcessMemory.setMallocMmapThreshold(config.memory.mallocMmapThreshold.bytes)
    }

    /// The server's services in start order: the monitors, the cluster membership, ingest,
    /// reload on SIGHUP and the HTTP port. A `ServiceGroup` stops them in reverse, so HTTP goes
    /// first, ingest closes its sessions before the monitor stops, and the node leaves the
    /// cluster (revoking its lease) once its publishers are gone.
    public func services() -> [any Service] {
        logBudget()
        let membership: [any Service] = cluster.map { [$0] } ?? []
        return [monitor, receiveMonitor] + membership + [
            ingest, HangupReloadService(reloader: reloader, logger: logger), buildHTTPApplication(),
        ]
    }

    /// Starts ingest and the memory monitor without a service group (for embedding and tests);
    /// a cluster's membership runs only as one of ``services()``.
    /// - Throws: `SRTError` if the SRT listener cannot be set up.
    public func start() throws {
        logBudget()
        try ingest.start()
        monitor.start()
        receiveMonitor.start()
    }

    /// Stops what ``start()`` started: ingest first (new callers get 1503, every stream is
    /// closed and its buffer freed), then the monitors.
    public func shutdown() {
        ingest.shutdown()
        monitor.stop()
        receiveMonitor.stop()
    }

    private func logBudget() {
        let budget = memory.budget
        logger.info(
            "memory budget",
            metadata: [
                "limit_bytes": "\(budget.bytes)", "source": "\(budget.source)",
                "base_bytes": "\(memory.base)",
                "per_stream_limit": "\(config.memory.perStreamLimit)",
            ])
    }

    /// The port the SRT listener is bound to, once started.
    public var srtPort: UInt16? { ingest.port }

    /// The live sessions, sorted by stream name.
    public var streams: [IngestSession] { ingest.sessions }

    /// The live session publishing this name.
    /// - Parameter name: The stream name.
    public func stream(named name: String) -> IngestSession? { ingest.session(named: name) }

    /// Re-reads the configuration file and applies it (see ``ConfigReloader``).
    @discardableResult
    public func reload() -> ReloadReport { reloader.reload() }
}
