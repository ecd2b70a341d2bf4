import Testing

@testable import SluiceCore

@Suite struct MemoryControllerTests {
    let start = ContinuousClock.now
    let probe = FakeProbe(resident: 100_000)

    /// A controller with a 1,000,000-byte limit; the probe's 100,000 bytes at start are the base.
    func makeController(_ configure: (inout MemoryConfig) -> Void = { _ in }) -> MemoryController {
        var config = MemoryConfig()
        config.streamEstimate = ByteSize(bytes: 65_536)
        config.allocationRate.perStreamBytesPerSecond = 1 << 40
        config.allocationRate.globalBytesPerSecond = 1 << 40
        configure(&config)
        return MemoryController(
            config: config, budget: MemoryBudget(bytes: 1_000_000, source: "test"), probe: probe, now: start)
    }

    func makeStream(
        _ controller: MemoryController, priority: Int = 0, quota: Int = 10_000_000, age: Duration = .zero
    ) -> StreamMemory {
        let tracker = StreamTracker(
            name: "s", settings: StreamMemorySettings(quota: quota, priority: priority),
            ledger: controller.ledger)
        let buffer = GOPBuffer(limits: BufferLimits(maxDuration: 600_000_000), tracker: tracker)
        let stream = StreamMemory(
            buffer: buffer, bucket: controller.gate.makeStreamBucket(now: start), now: start - age)
        controller.register(stream)
        return stream
    }

    func fill(
        _ stream: StreamMemory, gops: Int, from first: Int64 = 0, bytes: Int = 1000,
        via controller: MemoryController? = nil
    ) {
        for index in 0..<gops {
            for frame in FrameFactory.gop(at: first + Int64(index) * 10, length: 10, bytes: bytes) {
                if let controller {
                    controller.gate.admit(frame, to: stream, now: start)
                } else {
                    stream.buffer.insert(frame)
                }
            }
        }
    }

    @Test func ticksMoveTheLevelWithHysteresisAndTrimAtHard() {
        let controller = makeController()
        let steps: [(Int, PressureLevel)] = [
            (850_000, .soft), (960_000, .hard), (990_000, .critical), (965_000, .critical),
            (955_000, .hard), (790_000, .soft), (700_000, .none),
        ]
        for (resident, expected) in steps {
            probe.set(resident)
            #expect(controller.monitor.tick(now: start).level == expected, "at \(resident)")
        }
        #expect(probe.trimCount >= 3, "free heap goes back at hard and critical")
        #expect(controller.status.statistics.levelEntries[.critical] == 1)
        #expect(controller.status.peakBytes == 990_000)
    }

    @Test func newStreamsAreRefusedFromHardUntilPressureIsBackBelowSoft() {
        let controller = makeController()
        func refusal() -> AdmissionRefusal? {
            controller.admission.refusal(liveStreams: 0, maxStreams: 10, now: start)
        }
        probe.set(700_000)
        _ = controller.monitor.tick(now: start)
        #expect(refusal() == nil)
        probe.set(960_000)
        _ = controller.monitor.tick(now: start)
        #expect(refusal() == .memoryPressure)
        probe.set(900_000)
        _ = controller.monitor.tick(now: start)
        #expect(refusal() == .memoryPressure, "still above soft: still refusing")
        probe.set(700_000)
        _ = controller.monitor.tick(now: start)
        #expect(refusal() == nil, "below soft: admitting again")
        #expect(controller.admission.refusal(liveStreams: 10, maxStreams: 10, now: start) == .maxStreams)
    }

    @Test func onlyATickSetsOrClearsTheRefusalLatchAndAskingChangesNothing() {
        let controller = makeController()
        let stream = makeStream(controller)
        // Fixed bytes cannot be evicted: pressure stays where the test puts it.
        stream.tracker.setFixed(.srtReceiveBuffer, bytes: 860_000)
        _ = controller.monitor.tick(now: start)
        #expect(controller.status.refusingNewStreams, "set by the tick at hard")
        stream.tracker.setFixed(.srtReceiveBuffer, bytes: 750_000)
        #expect(controller.monitor.tick(now: start).level == .soft)
        #expect(controller.status.refusingNewStreams, "held while pressure is above soft")
        // Below soft between ticks: a question is not a tick.
        stream.tracker.setFixed(.srtReceiveBuffer, bytes: 600_000)
        let before = controller.status
        for _ in 0..<5 {
            #expect(
                controller.admission.refusal(liveStreams: 1, maxStreams: 10, now: start) == .memoryPressure)
            _ = controller.admission.estimate(now: start)
            _ = controller.status
        }
        let after = controller.status
        #expect(after.refusingNewStreams)
        #expect(after.level == before.level)
        #expect(after.statistics == before.statistics)
        _ = controller.monitor.tick(now: start + .seconds(1))
        #expect(!controller.status.refusingNewStreams, "cleared by the tick below soft")
        #expect(controller.admission.refusal(liveStreams: 1, maxStreams: 10, now: start) == nil)
    }

    /// The defect this rule fixes: a 96 MiB budget whose process takes 46 MiB at start, where a
    /// fixed estimate projects past soft and no publisher was ever admitted.
    @Test func aSmallBudgetAdmitsItsFirstPublisherAndRefusesOnlyWhatCannotFit() {
        let mib = 1 << 20
        let probe = FakeProbe(resident: 46 * mib)
        var config = MemoryConfig()
        config.streamEstimate = ByteSize(bytes: 32 * mib)
        let controller = MemoryController(
            config: config, budget: MemoryBudget(bytes: 96 * mib, source: "test"), probe: probe, now: start)
        func refusal(live: Int, at now: ContinuousClock.Instant) -> AdmissionRefusal? {
            controller.admission.refusal(liveStreams: live, maxStreams: 10, now: now)
        }
        func connect() -> StreamMemory {
            let tracker = StreamTracker(
                name: "s", settings: StreamMemorySettings(quota: 400 * mib), ledger: controller.ledger)
            tracker.setFixed(.srtReceiveBuffer, bytes: 8 * mib)
            tracker.setFixed(.demux, bytes: 64 << 10)
            let stream = StreamMemory(
                buffer: GOPBuffer(limits: BufferLimits(maxDuration: 10_000_000), tracker: tracker),
                bucket: controller.gate.makeStreamBucket(now: start), now: start)
            controller.register(stream)
            return stream
        }
        _ = controller.monitor.tick(now: start)
        #expect(
            controller.status.baseBytes + 32 * mib > 96 * mib * 8 / 10,
            "the estimate alone projects past soft")
        #expect(refusal(live: 0, at: start) == nil, "nothing live, below soft: the first publisher comes in")
        let first = connect()
        // Eight GOPs of 120,000 bytes, 0.4 s of media each, in the stream's first half second.
        fill(first, gops: 8, bytes: 10_000)
        #expect(controller.admission.estimate(now: start + .milliseconds(500)).source == .configured)
        #expect(
            refusal(live: 1, at: start + .milliseconds(500)) == .projectedMemory,
            "the first stream is too young to measure, and the configured estimate does not fit beside it")
        // Two seconds on, the first stream's rate says what a stream costs here.
        let now = start + .seconds(2)
        let estimate = controller.admission.estimate(now: now)
        #expect(estimate.source == .observed)
        #expect(estimate.streams == 1)
        // Its fixed parts plus ten seconds of buffer at the rate of its first two seconds.
        #expect(estimate.bytes == first.tracker.fixedBytes + first.tracker.admittedBytes * 5)
        #expect(refusal(live: 1, at: now) == nil, "a second stream of the observed size fits")
        _ = connect()
        #expect(refusal(live: 2, at: now) == .projectedMemory, "a third does not")
        #expect(controller.admission.refusal(liveStreams: 2, maxStreams: 2, now: now) == .maxStreams)
    }

    @Test func withNothingLiveButPressurePastSoftTheEstimateStillDecides() {
        let controller = makeController()
        probe.set(850_000)
        _ = controller.monitor.tick(now: start)
        #expect(controller.admission.refusal(liveStreams: 0, maxStreams: 10, now: start) == .projectedMemory)
    }

    @Test func theReasonCounterCountsEachRefusalOnceByReason() {
        let counter = ReasonCounter()
        #expect(counter.snapshot.isEmpty)
        counter.count("projected_memory")
        counter.count("bad_request")
        counter.count("projected_memory")
        #expect(counter.snapshot == ["projected_memory": 2, "bad_request": 1])
    }

    @Test func criticalPressureThatLastsShedsTheLowestPriorityLargestStreamOneAtATime() {
        let controller = makeController { $0.shedAfterMilliseconds = 2000 }
        let important = makeStream(controller, priority: 5)
        let small = makeStream(controller, priority: 0)
        let large = makeStream(controller, priority: 0)
        fill(important, gops: 3)
        fill(small, gops: 1)
        fill(large, gops: 3, from: 100, bytes: 3000)
        probe.set(990_000)
        let first = controller.monitor.tick(now: start)
        #expect(first.level == .critical)
        #expect(first.shed == nil)
        // Emergency: every stream is cut back to its newest GOP at once.
        for stream in [important, small, large] { #expect(stream.buffer.summary.gops == 1) }
        #expect(controller.monitor.tick(now: start + .seconds(1)).shed == nil)
        // Buffers are empty by now (the fake resident size stays critical): the stream that
        // admitted the most bytes per second is the largest.
        #expect(controller.monitor.tick(now: start + .milliseconds(2100)).shed === large)
        #expect(controller.monitor.tick(now: start + .seconds(3)).shed == nil, "one at a time")
        #expect(controller.monitor.tick(now: start + .milliseconds(4200)).shed === small)
        #expect(controller.status.statistics.shedStreams == 2)
        probe.set(100_000)
        #expect(controller.monitor.tick(now: start + .seconds(5)).level == .none)
    }

    @Test func theDataPathEvictsBeforeAnInsertCrossesSoftWithoutAnyTick() {
        let controller = makeController()
        let low = makeStream(controller, priority: 0)
        let high = makeStream(controller, priority: 5)
        // 60 GOPs of about 12,000 bytes into each stream: far more than the 1,000,000 limit.
        for index in 0..<60 {
            for (stream, offset) in [(low, Int64(0)), (high, Int64(10_000))] {
                for frame in FrameFactory.gop(at: offset + Int64(index) * 10, length: 10) {
                    controller.gate.admit(frame, to: stream, now: start)
                    #expect(controller.books.usage <= 800_000)
                }
            }
        }
        let stats = controller.status.statistics
        #expect(stats.evictionPasses[.soft, default: 0] > 0)
        // The low-priority stream gave up everything but its newest GOP before the other lost much.
        #expect(low.buffer.summary.gops == 1)
        #expect(high.buffer.summary.gops > 10)
        for stream in [low, high] {
            #expect(stream.buffer.gops.allSatisfy { $0.keyframe.opensGOP })
        }
    }

    @Test func priorityTiersGiveUpDataInOrderAndStagesGoCheapestFirst() {
        let controller = makeController()
        let low = makeStream(controller, priority: -1)
        let high = makeStream(controller, priority: 1)
        fill(low, gops: 4)
        fill(high, gops: 4, from: 100)
        let highBefore = high.tracker.total
        // A little: only the low tier's disposable frames.
        controller.evictor.relieve(freeing: 1_000, level: .soft)
        #expect(low.buffer.counters.framesDropped[.evictedDisposable, default: 0] > 0)
        #expect(low.buffer.counters.framesDropped[.evictedGOP] == nil)
        #expect(high.tracker.total == highBefore)
        // Everything the ordinary stages allow: both keep their newest GOP whole but for disposables.
        controller.evictor.relieve(freeing: Int.max, level: .hard)
        for stream in [low, high] {
            let gops = stream.buffer.gops
            #expect(gops.count == 1)
            #expect(gops[0].frames.filter { !$0.isDisposable }.count == 6)
        }
    }

    @Test func theSizePolicyTakesFromTheLargestStreamFirst() {
        let controller = makeController { $0.evictionPolicy = .size }
        let small = makeStream(controller, priority: -5)
        let large = makeStream(controller, priority: 5)
        fill(small, gops: 2)
        fill(large, gops: 6, from: 100)
        controller.evictor.relieve(freeing: 1_000, level: .soft)
        #expect(large.buffer.counters.evictedBytes > 0)
        #expect(small.buffer.counters.evictedBytes == 0)
    }

    @Test func aRunawayStreamIsRateLimitedAndStaysDecodable() {
        let controller = makeController {
            $0.allocationRate.perStreamBytesPerSecond = 20_000
            $0.allocationRate.burstBytes = ByteSize(bytes: 30_000)
        }
        let runaway = makeStream(controller)
        let steady = makeStream(controller)
        // The runaway offers about 300,000 B/s; the steady stream about 12,000 B/s.
        var now = start
        for index in 0..<20 {
            for frame in FrameFactory.gop(at: Int64(index) * 10, length: 10) {
                now += .milliseconds(4)
                controller.gate.admit(frame, to: runaway, now: now)
            }
        }
        let limited = runaway.buffer.counters.framesDropped
        #expect(limited[.rateLimited, default: 0] > 0)
        #expect(limited[.awaitingKeyframe, default: 0] > 0, "dependants of a refused reference frame go too")
        #expect(runaway.buffer.gops.allSatisfy { $0.keyframe.opensGOP })
        for index in 0..<3 {
            for frame in FrameFactory.gop(at: 1000 + Int64(index) * 10, length: 10) {
                now += .milliseconds(100)
                #expect(controller.gate.admit(frame, to: steady, now: now) == .buffered)
            }
        }
    }

    @Test func anOperatorCanEvictDownToALevel() {
        let controller = makeController()
        let stream = makeStream(controller)
        fill(stream, gops: 8)
        let freed = controller.evictor.evict(below: .none)
        #expect(freed.bytes > 0)
        #expect(stream.buffer.summary.gops == 1)
        #expect(controller.ledger.accounted == stream.tracker.total)
    }

    @Test func theLedgerFollowsEveryStream() {
        let controller = makeController()
        var streams = (0..<3).map { _ in makeStream(controller) }
        for stream in streams { fill(stream, gops: 2) }
        streams[0].tracker.setFixed(.srtReceiveBuffer, bytes: 5000)
        #expect(controller.ledger.accounted == streams.map(\.tracker.total).reduce(0, +))
        for stream in streams { controller.unregister(stream) }
        streams.removeAll()
        #expect(controller.ledger.accounted == 0, "a stream that goes takes its bytes off the books")
    }

    @Test func theAdmittedTotalNeverGoesDownWhenStreamsEnd() {
        let controller = makeController()
        let first = makeStream(controller)
        let second = makeStream(controller)
        fill(first, gops: 2)
        fill(second, gops: 3)
        let total = controller.status.admittedBytes
        #expect(total == first.tracker.admittedBytes + second.tracker.admittedBytes)
        #expect(total > 0)
        controller.unregister(first)
        #expect(controller.status.admittedBytes == total)
        controller.unregister(first)
        #expect(controller.status.admittedBytes == total, "unregistering twice counts once")
        fill(second, gops: 1, from: 100)
        #expect(controller.status.admittedBytes > total)
    }

    @Test func freeHeapLeftByChurnGoesBackEvenWithoutPressure() {
        let controller = makeController()
        probe.setHeap(used: 2 << 20, free: 20 << 20)
        _ = controller.monitor.tick(now: start)
        #expect(probe.trimCount == 1)
        _ = controller.monitor.tick(now: start + .seconds(1))
        #expect(probe.trimCount == 1, "at most once per interval")
        _ = controller.monitor.tick(now: start + .seconds(6))
        #expect(probe.trimCount == 2)
        probe.setHeap(used: 2 << 20, free: 4 << 20)
        _ = controller.monitor.tick(now: start + .seconds(20))
        #expect(probe.trimCount == 2, "a little free heap is left alone")
        probe.setHeap(used: 40 << 20, free: 20 << 20)
        _ = controller.monitor.tick(now: start + .seconds(30))
        #expect(probe.trimCount == 2, "free heap below what is in use is normal")
    }

    @Test func freeHeapGoesBackBeforeAnyMediaIsEvicted() {
        let gib = 1 << 30
        let probe = FakeProbe(resident: 100 << 20)
        probe.trimReturnsFreeHeap.store(true, ordering: .relaxed)
        let controller = MemoryController(
            config: MemoryConfig(), budget: MemoryBudget(bytes: gib, source: "test"), probe: probe, now: start
        )
        let tracker = StreamTracker(
            name: "s", settings: StreamMemorySettings(quota: gib), ledger: controller.ledger)
        let stream = StreamMemory(
            buffer: GOPBuffer(limits: BufferLimits(maxDuration: 600_000_000), tracker: tracker),
            bucket: controller.gate.makeStreamBucket(now: start), now: start)
        controller.register(stream)
        fill(stream, gops: 5)
        // Resident is past soft (0.8 GiB) only because of 200 MiB of free heap.
        probe.set(900 << 20)
        probe.setHeap(used: 100 << 20, free: 200 << 20)
        let report = controller.monitor.tick(now: start)
        #expect(probe.trimCount == 1)
        #expect(report.level == .none)
        #expect(report.freed.bytes == 0, "no media was evicted")
        #expect(stream.buffer.summary.gops == 5)
    }

    @Test func theMonitorReportsBytesAdmittedPerSecond() {
        let controller = makeController()
        let stream = makeStream(controller)
        _ = controller.monitor.tick(now: start)
        fill(stream, gops: 2)
        let admitted = stream.tracker.admittedBytes
        _ = controller.monitor.tick(now: start + .seconds(2))
        #expect(controller.status.admittedBytesPerSecond == Double(admitted) / 2)
    }
}
