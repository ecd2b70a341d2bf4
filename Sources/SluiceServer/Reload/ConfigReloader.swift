import Foundation
import Logging
import SluiceCore
import SluiceDelivery
import SluiceIngest

/// What a configuration reload did.
public struct ReloadReport: Sendable, Codable, Equatable {
    /// Whether the new file was taken (possibly with restart-only keys left as they were).
    public var accepted: Bool
    /// Keys whose new values are now in force.
    public var applied: [String]
    /// Keys that changed in the file but need a restart; they keep their running values.
    public var restartRequired: [String]
    /// Why the file was refused, when it was.
    public var error: String?
}

/// Re-reads the configuration file (on SIGHUP or `POST /api/config/reload`) and applies what
/// can change while running: limits, thresholds, quotas, rate limits, priorities, stream rules
/// and forward rules, without dropping any stream (a smaller quota trims each stream at once, a
/// smaller limit evicts at the next insert or tick; forwarders start, stop and restart to match
/// the rules). Restart-only keys are reported and keep their running values. An invalid file
/// changes nothing.
public struct ConfigReloader: Sendable {
    let path: String?
    let store: ConfigStore
    let memory: MemoryController
    let ingest: IngestService
    let forwarding: Forwarding
    let budgets: BudgetResolver
    let logger: Logger

    /// Reloads the file.
    /// - Returns: What was applied, what needs a restart, or why the file was refused.
    @discardableResult
    public func reload() -> ReloadReport {
        guard let path else {
            return ReloadReport(
                accepted: false, applied: [], restartRequired: [], error: "no configuration file")
        }
        let fresh: Config
        do {
            // The environment overrides the file on reload as it did at start.
            fresh = try Config.load(path: path, environment: ProcessInfo.processInfo.environment)
        } catch {
            logger.error(
                "config reload refused; the running configuration stays", metadata: ["error": "\(error)"])
            return ReloadReport(accepted: false, applied: [], restartRequired: [], error: error.description)
        }
        let running = store.current
        let changed = fresh.changedKeys(from: running)
        let restartRequired = changed.filter(Config.restartOnlyKeys.contains)
        let applied = changed.filter { !Config.restartOnlyKeys.contains($0) }
        let effective = fresh.keepingRestartOnlyKeys(of: running)
        store.replace(with: effective)
        apply(effective)
        logger.info(
            "config reloaded",
            metadata: [
                "applied": "\(applied.joined(separator: ","))",
                "restart_required": "\(restartRequired.joined(separator: ","))",
            ])
        return ReloadReport(accepted: true, applied: applied, restartRequired: restartRequired, error: nil)
    }

    private func apply(_ config: Config) {
        memory.reconfigure(config.memory, budget: budgets.resolve(config.memory))
        for session in ingest.sessions {
            session.tracker.update(config.memorySettings(for: session.name.value))
            session.buffer.setLimits(config.buffer.limits)
            session.buffer.trimToQuota()
            memory.gate.reconfigureBucket(of: session.memory)
            // A session that already ended has nothing left to time out.
            session.applyIdleTimeout(.milliseconds(config.srt.idleTimeoutMilliseconds))
        }
        forwarding.apply(to: ingest.sessions.map(\.muxSource))
    }
}
