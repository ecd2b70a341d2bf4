import Testing

@testable import SluiceCore

@Suite struct PressureThresholdsTests {
    let thresholds = PressureThresholds(soft: 0.8, hard: 0.95, critical: 0.98, hysteresis: 0.02)

    @Test func levelsStartAtTheirThresholds() {
        #expect(thresholds.level(at: 0.5) == .none)
        #expect(thresholds.level(at: 0.8) == .soft)
        #expect(thresholds.level(at: 0.949) == .soft)
        #expect(thresholds.level(at: 0.95) == .hard)
        #expect(thresholds.level(at: 0.98) == .critical)
        #expect(thresholds.level(at: 1.3) == .critical)
    }

    @Test func levelsRiseAtOnceAndFallOnlyPastTheHysteresis() {
        var level = PressureLevel.none
        let path: [(Double, PressureLevel)] = [
            (0.79, .none), (0.81, .soft), (0.79, .soft), (0.781, .soft), (0.779, .none),
            (0.99, .critical), (0.97, .critical), (0.961, .critical), (0.959, .hard),
            (0.94, .hard), (0.931, .hard), (0.929, .soft), (0.5, .none),
        ]
        for (pressure, expected) in path {
            level = thresholds.next(from: level, pressure: pressure)
            #expect(level == expected, "at \(pressure)")
        }
    }
}
