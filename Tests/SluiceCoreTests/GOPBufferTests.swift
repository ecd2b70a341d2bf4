import Testing

@testable import SluiceCore

@Suite struct GOPBufferTests {
    private let roomy = BufferLimits(maxDuration: 10_000_000, maxBytes: 64 << 20)

    private func assertInvariants(_ buffer: GOPBuffer, sourceLocation: SourceLocation = #_sourceLocation) {
        let snapshot = buffer.snapshot()
        #expect(snapshot.gops.allSatisfy { $0.startsWithKeyframe }, sourceLocation: sourceLocation)
        let summed = snapshot.gops.flatMap(\.frames).map(\.heldSize).reduce(0, +)
        #expect(snapshot.heldBytes == summed, sourceLocation: sourceLocation)
        #expect(snapshot.gops.map(\.heldBytes).reduce(0, +) == summed, sourceLocation: sourceLocation)
    }

    @Test func framesBeforeTheFirstKeyframeAreNotBuffered() {
        let buffer = GOPBuffer(limits: roomy)
        #expect(buffer.insert(FrameFactory.video(0)) == .dropped(.beforeKeyframe))
        #expect(buffer.insert(FrameFactory.audio(0)) == .dropped(.beforeKeyframe))
        #expect(buffer.insert(FrameFactory.video(1, key: true)) == .buffered)
        #expect(buffer.snapshot().gops.count == 1)
        #expect(buffer.counters.framesDropped[.beforeKeyframe] == 2)
        assertInvariants(buffer)
    }

    @Test func audioAndMetadataJoinTheOpenGOP() {
        let buffer = GOPBuffer(limits: roomy)
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
        let buffer = GOPBuffer(limits: BufferLimits(maxDuration: 5_000_000, maxBytes: 64 << 20))
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

    @Test func byteCapPushesOutOlderGOPsFirst() {
        // Each GOP holds about 5000 + 5 * 1000 + 4 * 500 payload bytes plus records.
        let buffer = GOPBuffer(limits: BufferLimits(maxDuration: 60_000_000, maxBytes: 30_000))
        for start in stride(from: Int64(0), to: 100, by: 10) {
            for frame in FrameFactory.gop(at: start, length: 10) {
                buffer.insert(frame)
                #expect(buffer.heldBytes <= 30_000)
                assertInvariants(buffer)
            }
        }
        #expect(buffer.counters.gopsDroppedForCap > 0)
        #expect(buffer.counters.framesDropped[.overByteCap] == nil)
    }

    @Test func aGOPLargerThanTheCapIsCutAtAFrameAndResumesAtTheNextKeyframe() {
        let buffer = GOPBuffer(limits: BufferLimits(maxDuration: 60_000_000, maxBytes: 8_000))
        let frames = FrameFactory.gop(at: 0, length: 20)
        var outcomes: [InsertOutcome] = []
        for frame in frames { outcomes.append(buffer.insert(frame)) }
        let firstDrop = outcomes.firstIndex(of: .dropped(.overByteCap))!
        #expect(outcomes[(firstDrop + 1)...].allSatisfy { $0 == .dropped(.awaitingKeyframe) })
        // What is buffered is a prefix in decode order, so nothing depends on a dropped frame.
        #expect(buffer.snapshot().gops[0].frames.count == firstDrop)
        assertInvariants(buffer)
        // The next keyframe starts cleanly, and the truncated GOP makes room for it.
        #expect(buffer.insert(FrameFactory.video(20, key: true)) == .buffered)
        #expect(buffer.insert(FrameFactory.video(21)) == .buffered)
        #expect(buffer.heldBytes <= 8_000)
        assertInvariants(buffer)
    }

    @Test func aKeyframeLargerThanTheCapIsDropped() {
        let buffer = GOPBuffer(limits: BufferLimits(maxDuration: 60_000_000, maxBytes: 70_000))
        #expect(buffer.insert(FrameFactory.video(0, key: true, bytes: 80_000)) == .dropped(.overByteCap))
        #expect(buffer.insert(FrameFactory.video(1)) == .dropped(.awaitingKeyframe))
        #expect(buffer.heldBytes == 0)
    }

    @Test func removeAllReleasesEverything() {
        let buffer = GOPBuffer(limits: roomy)
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
        #expect(released == nil, "the payload must be freed, not only un-counted")
        #expect(buffer.insert(FrameFactory.video(10)) == .dropped(.awaitingKeyframe))
    }

    @Test func countersTallyTypesAndDisposables() {
        let buffer = GOPBuffer(limits: roomy)
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
        let buffer = GOPBuffer(limits: BufferLimits(maxDuration: 5_000_000, maxBytes: 64 << 20))
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
        let buffer = GOPBuffer(limits: roomy)
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
