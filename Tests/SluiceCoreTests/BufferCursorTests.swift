import Testing

@testable import SluiceCore

@Suite struct BufferCursorTests {
    /// The frames a read returned and the cursor after them; `nil` if it returned none.
    private func frames(_ read: BufferRead) -> (frames: [Frame], next: BufferCursor)? {
        guard case .frames(let frames, let next) = read else { return nil }
        return (frames, next)
    }

    private func pts(_ read: BufferRead) -> [Int64] {
        frames(read)?.frames.map { $0.pts! / FrameFactory.frameInterval } ?? []
    }

    private func isCaughtUp(_ read: BufferRead) -> Bool {
        if case .caughtUp = read { return true }
        return false
    }

    private func behind(_ read: BufferRead) -> BufferCursor? {
        guard case .behind(let oldest) = read else { return nil }
        return oldest
    }

    @Test func everyFrameKeptTakesTheNextSequenceNumber() {
        let buffer = GOPBuffer.make()
        #expect(buffer.insert(FrameFactory.video(0)) == .dropped(.beforeKeyframe))
        #expect(buffer.nextSequence == 0, "a frame not kept takes no number")
        for frame in FrameFactory.gop(at: 1, length: 5) + FrameFactory.gop(at: 6, length: 5) {
            buffer.insert(frame)
        }
        #expect(buffer.nextSequence == 10)
        #expect(buffer.gops.flatMap(\.sequences) == Array(0..<10))
    }

    @Test func aCursorAtTheNewestKeyframeReadsFromThatKeyframe() {
        let buffer = GOPBuffer.make()
        for frame in FrameFactory.gop(at: 0, length: 10) + FrameFactory.gop(at: 10, length: 10) {
            buffer.insert(frame)
        }
        let cursor = buffer.cursor(at: .newestKeyframe)
        #expect(cursor.sequence == 10)
        #expect(pts(buffer.read(from: cursor, maxFrames: 100)) == Array(10..<20))
        #expect(pts(buffer.read(from: buffer.cursor(at: .oldestKeyframe), maxFrames: 100)) == Array(0..<20))
    }

    @Test func readingAdvancesTheCursorUntilItIsCaughtUp() {
        let buffer = GOPBuffer.make()
        for frame in FrameFactory.gop(at: 0, length: 10) { buffer.insert(frame) }
        let first = frames(buffer.read(from: buffer.cursor(at: .oldestKeyframe), maxFrames: 4))!
        #expect(first.frames.map(\.pts) == (0..<4).map { $0 * FrameFactory.frameInterval })
        // Reads continue across a GOP boundary.
        for frame in FrameFactory.gop(at: 10, length: 10) { buffer.insert(frame) }
        let second = buffer.read(from: first.next, maxFrames: 10)
        #expect(pts(second) == Array(4..<14))
        let rest = frames(buffer.read(from: frames(second)!.next, maxFrames: 100))!
        #expect(rest.frames.count == 6)
        #expect(rest.next.sequence == buffer.nextSequence)
        #expect(isCaughtUp(buffer.read(from: rest.next, maxFrames: 100)))
        buffer.insert(FrameFactory.audio(800_000))
        #expect(buffer.nextSequence > rest.next.sequence, "a waiting reader can see without the lock")
        #expect(frames(buffer.read(from: rest.next, maxFrames: 100))?.frames.map(\.kind) == [.audio])
    }

    @Test func aCursorWhoseGOPAgedOutLearnsItOnItsFirstRead() {
        // 2-second GOPs into a 5-second buffer.
        let buffer = GOPBuffer.make(duration: 5_000_000)
        for frame in FrameFactory.gop(at: 0, length: 50) { buffer.insert(frame) }
        let reader = frames(buffer.read(from: buffer.cursor(at: .oldestKeyframe), maxFrames: 10))!.next
        for start in stride(from: Int64(50), to: 200, by: 50) {
            for frame in FrameFactory.gop(at: start, length: 50) { buffer.insert(frame) }
        }
        #expect(buffer.counters.gopsExpired > 0)
        let oldest = behind(buffer.read(from: reader, maxFrames: 10))
        #expect(oldest == buffer.cursor(at: .oldestKeyframe))
        let resumed = frames(buffer.read(from: oldest!, maxFrames: 10))!.frames
        #expect(resumed.first?.opensGOP == true)
        #expect(resumed.first?.pts == buffer.gops.first?.keyframe.pts)
    }

    @Test func aCursorWhoseGOPWasEvictedWholeLearnsItOnItsFirstRead() {
        let buffer = GOPBuffer.make(duration: 60_000_000)
        for start in stride(from: Int64(0), to: 40, by: 10) {
            for frame in FrameFactory.gop(at: start, length: 10) { buffer.insert(frame) }
        }
        let reader = frames(buffer.read(from: buffer.cursor(at: .oldestKeyframe), maxFrames: 15))!.next
        buffer.evict(.gop, bytes: 20_000)
        #expect(buffer.summary.gops == 2)
        let oldest = behind(buffer.read(from: reader, maxFrames: 10))
        #expect(oldest?.sequence == 20)
        #expect(pts(buffer.read(from: oldest!, maxFrames: 1)) == [20])
        // The newest keyframe is the other way back in.
        #expect(pts(buffer.read(from: buffer.cursor(at: .newestKeyframe), maxFrames: 1)) == [30])
    }

    @Test func aReaderIsBehindAfterRemoveAllUnlessItHadReadEverything() {
        let buffer = GOPBuffer.make()
        for frame in FrameFactory.gop(at: 0, length: 10) { buffer.insert(frame) }
        let lagging = buffer.cursor(at: .oldestKeyframe)
        let current = frames(buffer.read(from: lagging, maxFrames: 100))!.next
        buffer.removeAll()
        let resume = behind(buffer.read(from: lagging, maxFrames: 10))
        #expect(resume != nil)
        #expect(isCaughtUp(buffer.read(from: current, maxFrames: 10)))
        // With nothing buffered, both wait for the stream's next keyframe.
        for frame in FrameFactory.gop(at: 10, length: 3) { buffer.insert(frame) }
        #expect(pts(buffer.read(from: resume!, maxFrames: 10)) == [10, 11, 12])
        #expect(pts(buffer.read(from: current, maxFrames: 10)) == [10, 11, 12])
    }

    @Test func framesEvictedFromInsideAGOPAreSkippedWithoutFallingBehind() {
        let buffer = GOPBuffer.make(duration: 60_000_000)
        for frame in FrameFactory.gop(at: 0, length: 10) { buffer.insert(frame) }
        buffer.insert(FrameFactory.audio(120_000))
        for frame in FrameFactory.gop(at: 10, length: 10) { buffer.insert(frame) }
        // I0 P1 B2: the reader wants B2 next.
        var reader = frames(buffer.read(from: buffer.cursor(at: .oldestKeyframe), maxFrames: 2))!.next
        buffer.evict(.disposable, bytes: Int.max)
        let afterDisposables = frames(buffer.read(from: reader, maxFrames: 2))!
        #expect(afterDisposables.frames.map { $0.pts! / FrameFactory.frameInterval } == [3, 5])
        reader = afterDisposables.next
        // The tail of the older GOP goes (the audio frame with it): the reader carries on at the
        // next keyframe.
        buffer.evict(.tail, bytes: Int.max)
        #expect(buffer.gops[0].frames.count == 1)
        #expect(pts(buffer.read(from: reader, maxFrames: 2)) == [10, 11])
    }

    @Test func aReaderInTheNewestGOPWaitsForTheNextKeyframeWhenThatGOPIsEvicted() {
        let buffer = GOPBuffer.make()
        for frame in FrameFactory.gop(at: 0, length: 10) + FrameFactory.gop(at: 10, length: 10) {
            buffer.insert(frame)
        }
        let reader = frames(buffer.read(from: buffer.cursor(at: .newestKeyframe), maxFrames: 3))!.next
        buffer.evict(.newestKeyframe, bytes: Int.max)
        #expect(isCaughtUp(buffer.read(from: reader, maxFrames: 10)))
        for frame in FrameFactory.gop(at: 20, length: 10) { buffer.insert(frame) }
        #expect(pts(buffer.read(from: reader, maxFrames: 2)) == [20, 21])
    }

    @Test func aCursorForTheNextKeyframeSkipsTheRestOfTheOpenGOP() {
        let buffer = GOPBuffer.make()
        let cursorOnEmpty = buffer.cursor(at: .oldestKeyframe)
        let frames = FrameFactory.gop(at: 0, length: 10)
        for frame in frames[..<5] { buffer.insert(frame) }
        #expect(pts(buffer.read(from: cursorOnEmpty, maxFrames: 1)) == [0], "an empty buffer's reader waits")
        let cursor = buffer.cursor(at: .nextKeyframe)
        for frame in frames[5...] { buffer.insert(frame) }
        #expect(isCaughtUp(buffer.read(from: cursor, maxFrames: 10)))
        for frame in FrameFactory.gop(at: 10, length: 2) { buffer.insert(frame) }
        #expect(pts(buffer.read(from: cursor, maxFrames: 10)) == [10, 11])
    }
}
