/// How close the process is to its memory limit.
public enum PressureLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// Below soft: nothing to do beyond each stream's own duration limit.
    case none = 0
    /// At or above soft: evict lowest-value data until back under.
    case soft = 1
    /// At or above hard: evict aggressively, return free heap to the system, refuse streams.
    case hard = 2
    /// At or above critical: cut every stream to its newest GOP; shed streams if it lasts.
    case critical = 3

    public var description: String {
        switch self {
        case .none: "none"
        case .soft: "soft"
        case .hard: "hard"
        case .critical: "critical"
        }
    }

    public static func < (lhs: PressureLevel, rhs: PressureLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension PressureLevel {
    /// Finds a level by the name configuration uses (`"soft"`, `"hard"`, `"critical"`).
    /// - Parameter name: The level's name.
    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = level
    }
}

/// The pressure ratios at which each level starts, and the margin below a threshold pressure
/// must fall to leave its level again.
public struct PressureThresholds: Sendable, Equatable {
    /// Start of ``PressureLevel/soft``.
    public var soft: Double
    /// Start of ``PressureLevel/hard``.
    public var hard: Double
    /// Start of ``PressureLevel/critical``.
    public var critical: Double
    /// How far below a level's threshold pressure must fall to leave it.
    public var hysteresis: Double

    /// Creates thresholds.
    /// - Parameters:
    ///   - soft: Start of soft.
    ///   - hard: Start of hard.
    ///   - critical: Start of critical.
    ///   - hysteresis: The margin for leaving a level.
    public init(soft: Double, hard: Double, critical: Double, hysteresis: Double) {
        self.soft = soft
        self.hard = hard
        self.critical = critical
        self.hysteresis = hysteresis
    }

    /// The threshold at which `level` starts (0 for none).
    public func threshold(_ level: PressureLevel) -> Double {
        switch level {
        case .none: 0
        case .soft: soft
        case .hard: hard
        case .critical: critical
        }
    }

    /// The level a pressure ratio reaches, ignoring history.
    public func level(at pressure: Double) -> PressureLevel {
        if pressure >= critical { return .critical }
        if pressure >= hard { return .hard }
        if pressure >= soft { return .soft }
        return .none
    }

    /// The next level given the current one: up at once when a threshold is crossed, down only
    /// when pressure is `hysteresis` below the current level's threshold, so levels do not
    /// flap around a threshold.
    public func next(from current: PressureLevel, pressure: Double) -> PressureLevel {
        let reached = level(at: pressure)
        if reached >= current { return reached }
        return max(reached, level(at: pressure + hysteresis))
    }
}
