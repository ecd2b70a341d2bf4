import Testing

@testable import SluiceCore

@Suite struct LatencyHistogramTests {
    @Test func observationsFallInTheFirstBucketThatHoldsThemAndCountsAreCumulative() {
        let histogram = LatencyHistogram(bounds: [0.001, 0.005, 0.01])
        histogram.record(.microseconds(500))
        histogram.record(.milliseconds(1))
        histogram.record(.milliseconds(3))
        histogram.record(.milliseconds(50))
        let counts = histogram.counts
        #expect(counts.cumulative == [2, 3, 3])
        #expect(counts.count == 4, "the one past every bound counts only in +Inf")
        #expect(abs(counts.sumSeconds - 0.0545) < 1e-9)
    }
}
