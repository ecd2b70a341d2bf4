import Testing

@testable import SluiceCore

@Suite struct ReaderLagPolicyTests {
    let policy = ReaderLagPolicy(Config.Readers())
    let start = ContinuousClock.now

    @Test func defaultsComeFromTheConfiguration() {
        #expect(policy.maxLag == .milliseconds(2000))
        #expect(policy.maxLagBytes == 4 << 20)
        #expect(policy.maxSkips == 3)
    }

    @Test func aReaderWithinBothBoundsKeepsGoing() {
        let lag = ReaderLag(media: .milliseconds(2000), bytes: 4 << 20)
        #expect(policy.decide(lag: lag, skips: ReaderSkipHistory(), now: start) == .keepGoing)
    }

    @Test func pastEitherBoundTheReaderIsMovedToTheNewestKeyframe() {
        let late = ReaderLag(media: .milliseconds(2001), bytes: 0)
        let heavy = ReaderLag(media: .zero, bytes: (4 << 20) + 1)
        #expect(policy.decide(lag: late, skips: ReaderSkipHistory(), now: start) == .skipToNewestKeyframe)
        #expect(policy.decide(lag: heavy, skips: ReaderSkipHistory(), now: start) == .skipToNewestKeyframe)
    }

    @Test func aGOPLongerThanTheBoundIsAllowed() {
        // Moving forward can only land on a keyframe: a 4 s GOP lets a reader lag 4 s.
        let lag = ReaderLag(media: .milliseconds(3500), bytes: 0, gop: .seconds(4))
        #expect(policy.decide(lag: lag, skips: ReaderSkipHistory(), now: start) == .keepGoing)
        let past = ReaderLag(media: .milliseconds(4100), bytes: 0, gop: .seconds(4))
        #expect(policy.decide(lag: past, skips: ReaderSkipHistory(), now: start) == .skipToNewestKeyframe)
    }

    @Test func aGOPLargerThanTheByteBoundIsAllowed() {
        let lag = ReaderLag(media: .zero, bytes: 5 << 20, gopBytes: 6 << 20)
        #expect(policy.decide(lag: lag, skips: ReaderSkipHistory(), now: start) == .keepGoing)
    }

    @Test func aReaderAtTheNewestKeyframeIsNeverMoved() {
        // Nowhere further to go: skipping it would only count against it.
        let lag = ReaderLag(media: .seconds(3), bytes: 8 << 20, isBehindNewestKeyframe: false)
        var skips = ReaderSkipHistory()
        for second in 0..<10 { skips.record(at: start + .seconds(second), keeping: 4) }
        #expect(policy.decide(lag: lag, skips: skips, now: start + .seconds(10)) == .keepGoing)
    }

    @Test func moreThanMaxSkipsWithinTheWindowDisconnects() {
        let lag = ReaderLag(media: .seconds(5), bytes: 0)
        var skips = ReaderSkipHistory()
        var now = start
        for _ in 0..<policy.maxSkips {
            #expect(policy.decide(lag: lag, skips: skips, now: now) == .skipToNewestKeyframe)
            skips.record(at: now, keeping: policy.maxSkips + 1)
            now += .seconds(5)
        }
        #expect(policy.decide(lag: lag, skips: skips, now: now) == .disconnect(.tooManySkips))
        #expect(skips.total == policy.maxSkips)
    }

    @Test func skipsOlderThanTheWindowAreForgiven() {
        let lag = ReaderLag(media: .seconds(5), bytes: 0)
        var skips = ReaderSkipHistory()
        for second in 0..<policy.maxSkips {
            skips.record(at: start + .seconds(second), keeping: policy.maxSkips + 1)
        }
        let later = start + ReaderLagPolicy.skipWindow + .seconds(policy.maxSkips)
        #expect(policy.decide(lag: lag, skips: skips, now: later) == .skipToNewestKeyframe)
    }

    @Test func zeroSkipsAllowedCutsAtTheFirstLag() {
        var readers = Config.Readers()
        readers.maxSkips = 0
        let strict = ReaderLagPolicy(readers)
        let lag = ReaderLag(media: .seconds(3), bytes: 0)
        #expect(strict.decide(lag: lag, skips: ReaderSkipHistory(), now: start) == .disconnect(.tooManySkips))
    }

    @Test func readerLimitsAndMemoryRefuse() {
        let limits = Config.Readers()
        #expect(
            ReaderRefusal.check(streamReaders: 0, totalReaders: 0, limits: limits, refusingNewStreams: false)
                == nil)
        #expect(
            ReaderRefusal.check(
                streamReaders: 200, totalReaders: 200, limits: limits, refusingNewStreams: false)
                == .maxPerStream)
        #expect(
            ReaderRefusal.check(
                streamReaders: 1, totalReaders: 2000, limits: limits, refusingNewStreams: false)
                == .maxTotal)
        #expect(
            ReaderRefusal.check(streamReaders: 0, totalReaders: 0, limits: limits, refusingNewStreams: true)
                == .memoryPressure)
    }
}
