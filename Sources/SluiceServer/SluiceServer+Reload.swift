import Foundation
import Logging
import SluiceCore

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

extension SluiceServer {
    /// Re-reads the configuration file and applies what can change while running: limits,
    /// thresholds, quotas, rate limits, priorities and stream rules, without dropping any stream
    /// (a smaller quota or limit evicts, at the next insert or tick). Restart-only keys are
    /// reported and left as they were. An invalid file changes nothing.
    /// - Returns: What was applied, what needs a restart, or why the file was refused.
    @discardableResult
    public func reload() -> ReloadReport {
        guard let configPath else {
            return ReloadReport(
                accepted: false, applied: [], restartRequired: [], error: "no configuration file")
        }
        let fresh: Config
        do {
            fresh = try Config.load(path: configPath, environment: ProcessInfo.processInfo.environment)
        } catch {
            logger.error(
                "config reload refused; the running configuration stays", metadata: ["error": "\(error)"])
            return ReloadReport(accepted: false, applied: [], restartRequired: [], error: error.description)
        }
        let running = config
        let changed = fresh.changedKeys(from: running)
        let restartRequired = changed.filter(Config.restartOnlyKeys.contains)
        let applied = changed.filter { !Config.restartOnlyKeys.contains($0) }
        let effective = fresh.keepingRestartOnlyKeys(of: running)
        configuration.withLock { $0 = effective }
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
        let budget = MemoryBudget.resolve(
            config.memory.globalLimit, fraction: config.memory.autoFraction, containerLimit: containerLimit,
            physicalMemory: physicalMemory)
        memory.reconfigure(config.memory, budget: budget)
        for stream in registry.all {
            stream.tracker.update(config.memorySettings(for: stream.name.value))
            stream.buffer.setLimits(config.buffer.limits)
            stream.buffer.trimToQuota()
            memory.reconfigureBucket(of: stream.memory)
        }
    }
}
