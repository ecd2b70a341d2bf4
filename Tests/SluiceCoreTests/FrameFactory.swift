@testable import SluiceCore

/// Builds frames for buffer tests: a 25 fps video timeline in microseconds.
enum FrameFactory {
    static let frameInterval: Int64 = 40_000

    static func video(
        _ index: Int64, key: Bool = false, type: PictureType = .p, disposable: Bool = false,
        bytes: Int = 1000
    ) -> Frame {
        Frame(
            streamIndex: 0, kind: .video, pts: index * frameInterval, dts: index * frameInterval,
            isKeyframe: key, pictureType: key ? .i : type, isDisposable: disposable,
            payload: FramePayload([UInt8](repeating: 0xAB, count: bytes)))
    }

    static func audio(_ time: Int64, bytes: Int = 200) -> Frame {
        Frame(
            streamIndex: 1, kind: .audio, pts: time, dts: time, isKeyframe: true, pictureType: nil,
            isDisposable: false, payload: FramePayload([UInt8](repeating: 0xCD, count: bytes)))
    }

    /// A GOP of `length` frames starting at frame `start`: I then alternating P and B.
    static func gop(at start: Int64, length: Int, bytes: Int = 1000) -> [Frame] {
        (0..<Int64(length)).map { offset in
            offset == 0
                ? video(start, key: true, bytes: bytes * 5)
                : offset % 2 == 0
                    ? video(start + offset, type: .b, disposable: true, bytes: bytes / 2)
                    : video(start + offset, bytes: bytes)
        }
    }
}

extension GOPBuffer {
    /// A buffer with its own tracker and ledger, for tests.
    static func make(duration: Int64 = 10_000_000, quota: Int = 64 << 20, ledger: MemoryLedger? = nil)
        -> GOPBuffer
    {
        GOPBuffer(
            limits: BufferLimits(maxDuration: duration),
            tracker: StreamTracker(name: "test", settings: StreamMemorySettings(quota: quota), ledger: ledger)
        )
    }
}

extension GOPBuffer {
    /// The buffered GOPs, to check the buffer's structure.
    var gops: [GOP] { state.withLock { $0.gops } }

    /// Every buffered frame in order, as a reader starting at the oldest keyframe reads it.
    func bufferedFrames() -> [Frame] {
        var cursor = cursor(at: .oldestKeyframe)
        while true {
            switch read(from: cursor, maxFrames: .max) {
            case .frames(let frames, _): return frames
            case .caughtUp: return []
            case .behind(let oldest): cursor = oldest
            }
        }
    }
}

extension FrameCounts {
    /// Whether these counts are what walking `frames` finds.
    func match(_ frames: [Frame]) -> Bool {
        MediaKind.allCases.allSatisfy { kind in self[kind] == frames.count { $0.kind == kind } }
            && PictureType.allCases.allSatisfy { type in
                self[type] == frames.count { $0.kind == .video && ($0.pictureType ?? .other) == type }
            }
    }
}
