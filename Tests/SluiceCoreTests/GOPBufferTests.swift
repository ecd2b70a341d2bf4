import Testing

@testable import SluiceCore

@Suite struct GOPBufferTests {

    private func assertInvariants(_ buffer: GOPBuffer, sourceLocation: SourceLocation = #_sourceLocation) {
        let snapshot = buffer.snapshot()
        #expect(snapshot.gops.allSatisfy { $0.startsWithKeyframe }, sourceLocation: sourceLocation)
        let summed = snapshot.gops.flatMap(\.frames).map(\.heldSize).reduce(0, +)
        #expect(snapshot.heldBytes == summed, sourceLocation: sourceLocation)
        let tracker = buffer.tracker
        #expect(tracker.bytes(.frames) + tracker.bytes(.index) == summed, sourceLocation: sourceLocation)
        let payload = snapshot.gops.flatMap(\.frames).map(\.payload.count).reduce(0, +)
        #expect(tracker.bytes(.frames) == payload, sourceLocation: sourceLocation)
        #expect(snapshot.gops.map(\.heldBytes).reduce(0, +) == summed, sourceLocation: sourceLocation)
    }

    @Test func framesBeforeTheFirstKeyframeAreNotBuffered() {
        let buffer = GOPBuffer.make()
        #expect(buffer.insert(FrameFactory.video(0)) == .dropped(.beforeKeyframe))
        #expect(buffer.insert(FrameFactory.audio(0)) == .dropped(.beforeKeyframe))
        #expect(buffer.insert(FrameFactory.video(1, key: true)) == .buffered)
        #expect(buffer.snapshot().gops.count == 1)
        #expect(buffer.counters.framesDropped[.beforeKeyframe] == 2)
        assertInvariants(buffer)
    }

    @Test func audioAndMetadataJoinTheOpenGOP() {
        let buffer = GOPBuffer.make()
        for frame in FrameFactory.gop(at: 0, length: 10) { buffer.insert(frame) }
        buffer.insert(FrameFactory.audio(100_000))
        for frame in FrameFactory.gop(at: 10, length: 10) { buffer.insert(frame) }
        buffer.insert(FrameFactory.audio(500_000))
        let gops = buffer.snapshot().gops
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
                #expect(buffer.snapshot().duration <= 5_000_000)
                assertInvariants(buffer)
            }
        }
        let snapshot = buffer.snapshot()
        // The last frame is at 19.96 s: a GOP opening at 14 s would make the span 5.96 s.
        #expect(snapshot.gops.count == 2)
        #expect(snapshot.gops.first?.keyframe.pts == 16_000_000)
        #expect(snapshot.counters.gopsExpired == 8)
        #expect(snapshot.counters.keyframesReceived == 10)
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
        let newest = buffer.snapshot().gops.last!
        #expect(newest.startsWithKeyframe)
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
        #expect(buffer.snapshot().gops[0].frames.count == firstDrop)
        assertInvariants(buffer)
        // The next keyframe starts cleanly, and the truncated GOP makes room for it.
        #expect(buffer.insert(FrameFactory.video(20, key: true)) == .buffered)
        #expect(buffer.insert(FrameFactory.video(21)) == .buffered)
        #expect(buffer.tracker.total <= 8_000)
        // The old GOP lost its tail first; its keyframe may stay.
        #expect(buffer.snapshot().gops.count <= 2)
        assertInvariants(buffer)
    }

    @Test func aKeyframeLargerThanTheQuotaIsDropped() {
        let buffer = GOPBuffer.make(duration: 60_000_000, quota: 70_000)
        #expect(buffer.insert(FrameFactory.video(0, key: true, bytes: 80_000)) == .dropped(.overQuota))
        #expect(buffer.insert(FrameFactory.video(1)) == .dropped(.awaitingKeyframe))
        #expect(buffer.heldBytes == 0)
    }

    @Test func fixedComponentsCountAgainstTheQuota() {
        let buffer = GOPBuffer.make(duration: 60_000_000, quota: 20_000)
        buffer.tracker.setFixed(.srtReceiveBuffer, bytes: 15_000)
        for frame in FrameFactory.gop(at: 0, length: 10) { buffer.insert(frame) }
        #expect(buffer.tracker.total <= 20_000)
        #expect(buffer.heldBytes <= 5_000)
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
        let held = buffer.heldBytes
        #expect(buffer.removeAll() == held)
        #expect(buffer.heldBytes == 0)
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
        #expect(buffer.snapshot().gops.count == 2)
        #expect(buffer.snapshot().duration <= 5_000_000)
        // And time keeps flowing afterwards: old GOPs still age out.
        for start in stride(from: Int64(-89_950), to: -89_700, by: 50) {
            for frame in FrameFactory.gop(at: start, length: 50) { buffer.insert(frame) }
        }
        #expect(buffer.snapshot().duration <= 5_000_000)
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
        #expect(buffer.snapshot().gops.map(\.frames.count) == [4, 1])
        #expect(buffer.counters.framesDropped[.corrupt] == 2)
        #expect(buffer.counters.framesReceived[.video] == 8)
    }
}
