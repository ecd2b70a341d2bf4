import Dispatch
import Foundation
import Logging
import SluiceCore
import SluiceSystem
import Synchronization

/// The memory controller's heartbeat: ticks it every `memory.monitor_interval_ms` on a thread
/// of its own (`memory-monitor`), logs level changes, and disconnects the streams it sheds.
public final class MemoryMonitorService: Sendable {
    private let config: ConfigStore
    private let memory: MemoryController
    private let ingest: IngestService
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)

    /// Creates the monitor; nothing ticks until ``start()``.
    /// - Parameters:
    ///   - config: The configuration in force (the interval is reloadable).
    ///   - memory: The controller to tick.
    ///   - ingest: Where the sessions of shed streams are found.
    ///   - logger: Where level changes and shedding are logged.
    public init(config: ConfigStore, memory: MemoryController, ingest: IngestService, logger: Logger) {
        self.config = config
        self.memory = memory
        self.ingest = ingest
        self.logger = logger
    }

    /// Starts ticking.
    public func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread(kernelName: "memory-monitor") { [self] in
            while !stopping.load(ordering: .acquiring) {
                // Read each time: the interval is reloadable.
                Thread.sleep(
                    forTimeInterval: TimeInterval(config.current.memory.monitorIntervalMilliseconds) / 1000)
                tick()
            }
            done.signal()
        }
        thread.start()
    }

    /// Stops ticking and waits for the last tick to finish.
    public func stop() {
        guard started.load(ordering: .acquiring), !stopping.exchange(true, ordering: .acquiringAndReleasing)
        else { return }
        done.wait()
    }

    private func tick() {
        let report = memory.monitor.tick(now: .now)
        if report.level != report.previousLevel { logLevelChange(report) }
        if let shed = report.shed, let session = ingest.sessions.first(where: { $0.memory === shed }) {
            logger.warning(
                "shedding stream",
                metadata: [
                    "stream": "\(session.name)", "peer": "\(session.peer)",
                    "priority": "\(session.tracker.priority)", "stream_bytes": "\(session.tracker.total)",
                    "pressure": "\(String(format: "%.3f", report.pressure))",
                    "reason": "memory critical for memory.shed_after_ms; lowest priority, largest stream",
                ])
            session.stop(.shed)
        }
    }

    private func logLevelChange(_ report: MonitorReport) {
        let metadata: Logger.Metadata = [
            "level": "\(report.level)", "previous": "\(report.previousLevel)",
            "pressure": "\(String(format: "%.3f", report.pressure))",
            "resident_bytes": "\(report.sample.residentBytes)",
            "accounted_bytes": "\(memory.ledger.accounted)",
            "freed_bytes": "\(report.freed.bytes)",
        ]
        if report.level > report.previousLevel {
            logger.warning("memory pressure rising", metadata: metadata)
        } else {
            logger.info("memory pressure easing", metadata: metadata)
        }
    }
}
