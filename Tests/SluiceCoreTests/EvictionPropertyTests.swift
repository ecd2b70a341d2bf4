import Testing

@testable import SluiceCore

/// A small seeded generator, so a failing sequence can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates a live stream frame by frame: closed GOPs of P-anchored mini-GOPs whose B-frames
/// are either all non-reference or, with a pyramid, led by a reference B. Audio and metadata
/// frames are interleaved. Each payload starts with the frame's id, and the generator records
/// which ids each frame references.
struct StreamGenerator {
    var rng: SplitMix64
    private(set) var references: [UInt64: [UInt64]] = [:]
    /// Each emitted frame's place in the stream (ids are not: audio is made after its GOP's video).
    private(set) var order: [UInt64: Int] = [:]
    private var nextID: UInt64 = 1
    private var dts: Int64 = 0
    private var pending: [Frame] = []

    init(seed: UInt64) { rng = SplitMix64(state: seed) }

    static func id(of frame: Frame) -> UInt64 {
        frame.payload.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    }

    private mutating func make(
        _ kind: MediaKind, type: PictureType?, key: Bool = false, refs: [UInt64] = [],
        disposable: Bool = false
    ) -> (Frame, UInt64) {
        let id = nextID
        nextID += 1
        let size: Int =
            key ? Int.random(in: 5_000...20_000, using: &rng) : Int.random(in: 100...5_000, using: &rng)
        var bytes = [UInt8](repeating: 0xEE, count: size)
        withUnsafeBytes(of: id) { for (i, b) in $0.enumerated() { bytes[i] = b } }
        if kind == .video { dts += 40_000 }
        let frame = Frame(
            streamIndex: kind == .video ? 0 : kind == .audio ? 1 : 2, kind: kind, pts: dts, dts: dts,
            isKeyframe: key,
            pictureType: type, isDisposable: disposable, payload: FramePayload(bytes))
        references[id] = refs
        return (frame, id)
    }

    private mutating func queueGOP() {
        let (key, keyID) = make(.video, type: .i, key: true)
        pending.append(key)
        var anchor = keyID
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
            let (p, pID) = make(.video, type: .p, refs: [anchor])
            pending.append(p)
            if Bool.random(using: &rng) {
                let (bRef, bRefID) = make(.video, type: .b, refs: [anchor, pID])
                pending.append(bRef)
                for _ in 0..<Int.random(in: 1...2, using: &rng) {
                    pending.append(make(.video, type: .b, refs: [anchor, bRefID, pID], disposable: true).0)
                }
            } else {
                for _ in 0..<Int.random(in: 0...3, using: &rng) {
                    pending.append(make(.video, type: .b, refs: [anchor, pID], disposable: true).0)
                }
            }
            anchor = pID
        }
        // Interleave audio and metadata after video frames.
        var interleaved: [Frame] = []
        for frame in pending {
            interleaved.append(frame)
            if Int.random(in: 0..<2, using: &rng) == 0 { interleaved.append(make(.audio, type: nil).0) }
            if Int.random(in: 0..<10, using: &rng) == 0 { interleaved.append(make(.metadata, type: nil).0) }
        }
        pending = interleaved
    }

    mutating func next() -> Frame {
        if pending.isEmpty { queueGOP() }
        let frame = pending.removeFirst()
        order[Self.id(of: frame)] = order.count
        return frame
    }
}

final class WeakPayload {
    weak var payload: FramePayload?
    let id: UInt64
    init(_ frame: Frame) {
        payload = frame.payload
        id = StreamGenerator.id(of: frame)
    }
}

@Suite struct EvictionPropertyTests {
    private func checkInvariants(
        _ buffer: GOPBuffer, _ generator: StreamGenerator, _ seen: [WeakPayload], seed: UInt64, step: Int
    ) {
        let gops = buffer.gops
        let frames = gops.flatMap(\.frames)
        let where_ = "seed \(seed) step \(step)"
        #expect(gops.allSatisfy { $0.keyframe.opensGOP }, "\(where_): a GOP without its keyframe")
        let held = Set(frames.map(StreamGenerator.id(of:)))
        for frame in frames {
            let missing = generator.references[StreamGenerator.id(of: frame)]!.filter { !held.contains($0) }
            #expect(missing.isEmpty, "\(where_): a buffered frame references evicted \(missing)")
        }
        let total = frames.map(\.heldSize).reduce(0, +)
        let summary = buffer.summary
        #expect(summary.heldBytes == total, "\(where_)")
        #expect(summary.gops == gops.count, "\(where_)")
        #expect(summary.frames.match(frames), "\(where_): counts differ from a walk")
        #expect(buffer.tracker.bytes(.frames) == frames.map(\.payload.count).reduce(0, +), "\(where_)")
        #expect(buffer.tracker.bytes(.frames) + buffer.tracker.bytes(.index) == total, "\(where_)")
        // A reader from the oldest keyframe gets exactly what is buffered, in order.
        let read = buffer.bufferedFrames().map(StreamGenerator.id(of:))
        #expect(read == frames.map(StreamGenerator.id(of:)), "\(where_): a full read differs")
        #expect(read.map { generator.order[$0]! } == read.map { generator.order[$0]! }.sorted(), "\(where_)")
        // Un-counted means released: only buffered payloads are still alive.
        let alive = Set(seen.filter { $0.payload != nil }.map(\.id))
        #expect(alive == held, "\(where_): \(alive.subtracting(held).count) payloads not freed")
    }

    @Test(arguments: 0..<60)
    func randomInsertsAndEvictionsKeepEveryGOPDecodableAndTheBooksExact(seed: Int) {
        let seed = UInt64(seed) &* 7919 &+ 17
        var generator = StreamGenerator(seed: seed)
        var rng = SplitMix64(state: seed ^ 0xABCDEF)
        let ledger = MemoryLedger()
        let buffer = GOPBuffer.make(
            duration: Int64.random(in: 500_000...20_000_000, using: &rng), quota: 400_000, ledger: ledger)
        var seen: [WeakPayload] = []
        var reader = Reader(buffer: buffer)
        for step in 0..<400 {
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<80:
                let frame = generator.next()
                seen.append(WeakPayload(frame))
                let outcome = buffer.insert(frame)
                if outcome == .buffered { #expect(buffer.tracker.total <= buffer.tracker.quota) }
            case 80..<83:
                let frame = generator.next()
                seen.append(WeakPayload(frame))
                buffer.discard(frame, reason: .corrupt)
            case 83..<85:
                buffer.tracker.update(
                    StreamMemorySettings(quota: Int.random(in: 30_000...400_000, using: &rng)))
            default:
                let stage = EvictionStage.allCases.randomElement(using: &rng)!
                let before = buffer.tracker.total
                let freed = buffer.evict(stage, bytes: Int.random(in: 1...200_000, using: &rng))
                #expect(before - buffer.tracker.total == freed.bytes)
            }
            checkInvariants(buffer, generator, seen, seed: seed, step: step)
            reader.read(
                maxFrames: Int.random(in: 1...12, using: &rng), generator, "seed \(seed) step \(step)")
            #expect(ledger.accounted == buffer.tracker.total)
        }
        buffer.removeAll()
        #expect(ledger.accounted == 0)
        #expect(seen.allSatisfy { $0.payload == nil })
    }
}

/// A live reader that lags the stream by a random amount, checked against a walk of the buffer.
private struct Reader {
    let buffer: GOPBuffer
    var cursor: BufferCursor
    /// The frames of the reader's current GOP it has read.
    var decoded: Set<UInt64> = []
    /// The stream order of the last frame read.
    var lastRead = -1

    init(buffer: GOPBuffer) {
        self.buffer = buffer
        cursor = buffer.cursor(at: .oldestKeyframe)
    }

    /// Each buffered frame with its sequence number, in order.
    private var entries: [(sequence: UInt64, frame: Frame)] {
        buffer.gops.flatMap { gop in zip(gop.sequences, gop.frames).map { ($0, $1) } }
    }

    mutating func read(maxFrames: Int, _ generator: StreamGenerator, _ where_: String) {
        var expected = entries.drop { $0.sequence < cursor.sequence }
        if cursor.awaitsKeyframe { expected = expected.drop { !$0.frame.opensGOP } }
        switch buffer.read(from: cursor, maxFrames: maxFrames) {
        case .caughtUp:
            #expect(expected.isEmpty, "\(where_): caught up with frames left to read")
        case .behind(let oldest):
            // Behind means behind the oldest buffered frame, and the reader resumes there.
            #expect(entries.first.map { $0.sequence > cursor.sequence } ?? true, "\(where_)")
            #expect(oldest == buffer.cursor(at: .oldestKeyframe), "\(where_)")
            cursor = oldest
        case .frames(let frames, let next):
            let ids = frames.map(StreamGenerator.id(of:))
            #expect(ids == expected.prefix(maxFrames).map { StreamGenerator.id(of: $0.frame) }, "\(where_)")
            for (frame, id) in zip(frames, ids) {
                #expect(generator.order[id]! > lastRead, "\(where_): read out of order")
                lastRead = generator.order[id]!
                if frame.opensGOP { decoded = [] }
                let missing = generator.references[id]!.filter { !decoded.contains($0) }
                #expect(missing.isEmpty, "\(where_): the reader got a frame without \(missing)")
                decoded.insert(id)
            }
            cursor = next
        }
    }
}
