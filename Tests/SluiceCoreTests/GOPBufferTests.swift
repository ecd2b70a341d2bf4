import Testing

@testable import SluiceCore

@Suite struct GOPBufferTests {

    private func assertInvariants(_ buffer: GOPBuffer, sourceLocation: SourceLocation = #_sourceLocation) {
        let gops = buffer.gops
        #expect(gops.allSatisfy { $0.keyframe.opensGOP }, sourceLocation: sourceLocation)
        let frames = gops.flatMap(\.frames)
        let summed = frames.map(\.heldSize).reduce(0, +)
        #expect(buffer.summary.heldBytes == summed, sourceLocation: sourceLocation)
        let tracker = buffer.tracker
        #expect(tracker.bytes(.frames) + tracker.bytes(.index) == summed, sourceLocation: sourceLocation)
        let payload = frames.map(\.payload.count).reduce(0, +)
        #expect(tracker.bytes(.frames) == payload, sourceLocation: sourceLocation)
        #expect(buffer.summary.frames.match(frames), sourceLocation: sourceLocation)
    }

    @Test func framesBeforeTheFirstKeyframeAreNotBuffered() {
        let buffer = GOPBuffer.make()
        #expect(buffer.insert(FrameFactory.video(0)) == .dropped(.beforeKeyframe))
        #expect(buffer.insert(FrameFactory.audio(0)) == .dropped(.beforeKeyframe))
        #expect(buffer.insert(FrameFactory.video(1, key: true)) == .buffered)
        #expect(buffer.summary.gops == 1)
        #expect(buffer.counters.framesDropped[.beforeKeyframe] == 2)
        assertInvariants(buffer)
    }

    @Test func audioAndMetadataJoinTheOpenGOP() {
        let buffer = GOPBuffer.make()
        for frame in FrameFactory.gop(at: 0, length: 10) { buffer.insert(frame) }
        buffer.insert(FrameFactory.audio(100_000))
        for frame in FrameFactory.gop(at: 10, length: 10) { buffer.insert(frame) }
        buffer.insert(FrameFactory.audio(500_000))
        let gops = buffer.gops
        #expect(gops.count == 2)
        #expect(gops[0].frames.count == 11)
        #expect(gops[1].frames.count == 11)
        #expect(gops[1].frames.last?.kind == .audio)
        assertInvariants(buffer)
    }

    @Test func oldestWholeGOPsAgeOutByDuration() {
        // 2-second GOPs (50 frames at 25 fps) into a 5-second buffer.
        let buffer = GOPBuffer.make(duration: 5_000_000)
        for start in stride(from: Int64(0), to: 500, by: 50) {
            for frame in FrameFactory.gop(at: start, length: 50) {
                buffer.insert(frame)
                #expect(buffer.summary.duration <= 5_000_000)
                assertInvariants(buffer)
            }
        }
        // The last frame is at 19.96 s: a GOP opening at 14 s would make the span 5.96 s.
        #expect(buffer.summary.gops == 2)
        #expect(buffer.gops.first?.keyframe.pts == 16_000_000)
        #expect(buffer.counters.gopsExpired == 8)
        #expect(buffer.counters.keyframesReceived == 10)
    }

    @Test func theQuotaEvictsInsideTheStreamCheapestFirst() {
        // Each GOP: a 5000-byte keyframe, 5 P of 1000, 4 disposable B of 500, plus records.
        let buffer = GOPBuffer.make(duration: 60_000_000, quota: 40_000)
        for start in stride(from: Int64(0), to: 100, by: 10) {
            for frame in FrameFactory.gop(at: start, length: 10) {
                #expect(buffer.insert(frame) == .buffered)
                #expect(buffer.tracker.total <= 40_000)
                assertInvariants(buffer)
            }
        }
        let dropped = buffer.counters.framesDropped
        // Disposable frames went before any GOP was cut back, and the quota never refused a frame.
        #expect(dropped[.evictedDisposable, default: 0] > 0)
        #expect(dropped[.evictedTail, default: 0] > 0)
        #expect(dropped[.overQuota] == nil)
        #expect(buffer.counters.evictedBytes > 0)
        // The newest GOP keeps its keyframe and every reference frame; only disposables may go.
        let newest = buffer.gops.last!
        #expect(newest.keyframe.opensGOP)
        #expect(newest.frames.filter { !$0.isDisposable }.count == 6)
    }

    @Test func aGOPLargerThanTheQuotaIsCutAtAFrameAndResumesAtTheNextKeyframe() {
        let buffer = GOPBuffer.make(duration: 60_000_000, quota: 8_000)
        let frames = FrameFactory.gop(at: 0, length: 20).filter { !$0.isDisposable }
        var outcomes: [InsertOutcome] = []
        for frame in frames { outcomes.append(buffer.insert(frame)) }
        let firstDrop = outcomes.firstIndex(of: .dropped(.overQuota))!
        #expect(outcomes[(firstDrop + 1)...].allSatisfy { $0 == .dropped(.awaitingKeyframe) })
        // What is buffered is a prefix in decode order, so nothing depends on a dropped frame.
        #expect(buffer.gops[0].frames.count == firstDrop)
        assertInvariants(buffer)
        // The next keyframe starts cleanly, and the truncated GOP makes room for it.
        #expect(buffer.insert(FrameFactory.video(20, key: true)) == .buffered)
        #expect(buffer.insert(FrameFactory.video(21)) == .buffered)
        #expect(buffer.tracker.total <= 8_000)
        // The old GOP lost its tail first; its keyframe may stay.
        #expect(buffer.summary.gops <= 2)
        assertInvariants(buffer)
    }

    @Test func aKeyframeLargerThanTheQuotaIsDropped() {
        let buffer = GOPBuffer.make(duration: 60_000_000, quota: 70_000)
        #expect(buffer.insert(FrameFactory.video(0, key: true, bytes: 80_000)) == .dropped(.overQuota))
        #expect(buffer.insert(FrameFactory.video(1)) == .dropped(.awaitingKeyframe))
        #expect(buffer.summary.heldBytes == 0)
    }

    @Test func fixedComponentsCountAgainstTheQuota() {
        let buffer = GOPBuffer.make(duration: 60_000_000, quota: 20_000)
        buffer.tracker.setFixed(.srtReceiveBuffer, bytes: 15_000)
        for frame in FrameFactory.gop(at: 0, length: 10) { buffer.insert(frame) }
        #expect(buffer.tracker.total <= 20_000)
        #expect(buffer.summary.heldBytes <= 5_000)
    }

    @Test func removeAllReleasesEverything() {
        let buffer = GOPBuffer.make()
        weak var released: FramePayload?
        do {
            let frames = FrameFactory.gop(at: 0, length: 10)
            released = frames[3].payload
            for frame in frames { buffer.insert(frame) }
        }
        #expect(released != nil)
        let held = buffer.summary.heldBytes
        #expect(buffer.removeAll() == held)
        #expect(buffer.summary.heldBytes == 0)
        #expect(buffer.tracker.total == 0)
        #expect(released == nil, "the payload must be freed, not only un-counted")
        #expect(buffer.insert(FrameFactory.video(10)) == .dropped(.awaitingKeyframe))
    }

    @Test func countersTallyTypesAndDisposables() {
        let buffer = GOPBuffer.make()
        for frame in FrameFactory.gop(at: 0, length: 10) + FrameFactory.gop(at: 10, length: 10) {
            buffer.insert(frame)
        }
        let counters = buffer.counters
        #expect(counters.keyframesReceived == 2)
        #expect(counters.picturesReceived[.i] == 2)
        #expect(counters.picturesReceived[.p] == 10)
        #expect(counters.picturesReceived[.b] == 8)
        #expect(counters.disposableReceived == 8)
        #expect(counters.framesReceived[.video] == 20)
    }

    @Test func aClockDiscontinuityNeitherFlushesNorFreezesTheBuffer() {
        let buffer = GOPBuffer.make(duration: 5_000_000)
        for frame in FrameFactory.gop(at: 0, length: 50) { buffer.insert(frame) }
        // The encoder restarts: timestamps jump back to an hour earlier.
        for frame in FrameFactory.gop(at: -90_000, length: 50) { buffer.insert(frame) }
        #expect(buffer.summary.gops == 2)
        #expect(buffer.summary.duration <= 5_000_000)
        // And time keeps flowing afterwards: old GOPs still age out.
        for start in stride(from: Int64(-89_950), to: -89_700, by: 50) {
            for frame in FrameFactory.gop(at: start, length: 50) { buffer.insert(frame) }
        }
        #expect(buffer.summary.duration <= 5_000_000)
        #expect(buffer.counters.gopsExpired > 0)
    }
}

extension GOPBufferTests {
    @Test func aDiscardedReferenceFrameCutsTheGOPUntilTheNextKeyframe() {
        let buffer = GOPBuffer.make()
        let frames = FrameFactory.gop(at: 0, length: 10)
        for frame in frames[0..<3] { buffer.insert(frame) }
        // A disposable frame can go alone.
        buffer.discard(FrameFactory.video(3, type: .b, disposable: true), reason: .corrupt)
        #expect(buffer.insert(frames[4]) == .buffered)
        // A reference frame takes everything after it in its GOP.
        buffer.discard(frames[5], reason: .corrupt)
        #expect(buffer.insert(frames[6]) == .dropped(.awaitingKeyframe))
        #expect(buffer.insert(FrameFactory.audio(300_000)) == .dropped(.awaitingKeyframe))
        #expect(buffer.insert(FrameFactory.video(10, key: true)) == .buffered)
        #expect(buffer.gops.map(\.frames.count) == [4, 1])
        #expect(buffer.counters.framesDropped[.corrupt] == 2)
        #expect(buffer.counters.framesReceived[.video] == 8)
    }
}

extension GOPBufferTests {
    @Test func theSummaryCountsWhatIsBufferedAsFramesComeAndGo() {
        let buffer = GOPBuffer.make(duration: 60_000_000)
        for frame in FrameFactory.gop(at: 0, length: 10) + FrameFactory.gop(at: 10, length: 10) {
            buffer.insert(frame)
        }
        buffer.insert(FrameFactory.audio(800_000))
        var summary = buffer.summary
        #expect(summary.gops == 2)
        #expect(summary.duration == 800_000, "the audio frame is the latest")
        #expect([summary.frames[.i], summary.frames[.p], summary.frames[.b]] == [2, 10, 8])
        #expect([summary.frames[.video], summary.frames[.audio], summary.frames[.metadata]] == [20, 1, 0])
        buffer.evict(.disposable, bytes: Int.max)
        summary = buffer.summary
        #expect(summary.frames[.b] == 0)
        #expect(summary.frames.total == 13)
        buffer.removeAll()
        #expect(buffer.summary == BufferSummary())
    }
}
