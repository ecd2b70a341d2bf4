import Foundation
import Logging
import SluiceCore

extension SluiceServer {
    /// Ticks the memory controller every `memory.monitor_interval_ms`, logs level changes and
    /// disconnects the streams it sheds.
    func monitorLoop() {
        while !shuttingDown.load(ordering: .acquiring) {
            // Read each time: the interval is reloadable.
            Thread.sleep(forTimeInterval: TimeInterval(config.memory.monitorIntervalMilliseconds) / 1000)
            let report = memory.monitor.tick(now: .now)
            if report.level != report.previousLevel { logLevelChange(report) }
            if let shed = report.shed, let stream = registry.all.first(where: { $0.memory === shed }) {
                logger.warning(
                    "shedding stream",
                    metadata: [
                        "stream": "\(stream.name)", "peer": "\(stream.peer)",
                        "priority": "\(stream.tracker.priority)",
                        "stream_bytes": "\(stream.tracker.total)",
                        "pressure": "\(String(format: "%.3f", report.pressure))",
                        "reason":
                            "memory critical for memory.shed_after_ms; lowest priority, largest stream",
                    ])
                stream.stop(.shed)
            }
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
