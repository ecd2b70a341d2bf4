import Logging
import SluiceCore
import SluiceDemux
import Synchronization

/// One stream's shared MPEG-TS output: reads the stream's buffer through a cursor from its
/// oldest keyframe, muxes every frame once with libavformat, and appends the output to an
/// ``OutputLog`` that every reader of the stream reads. It runs while the stream has readers.
final class StreamMux: Sendable {
    /// The stream it muxes.
    let source: MuxSource
    /// Its output.
    let log: OutputLog
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// The most frames muxed before the log is trimmed and other tasks get a turn.
    private static let batch = 64

    /// - Parameters:
    ///   - source: The stream.
    ///   - gatherInterval: How often gathering readers read (see ``OutputLog/gathered``).
    init(source: MuxSource, gatherInterval: @escaping @Sendable () -> Duration) {
        self.source = source
        log = OutputLog(tracker: source.buffer.tracker, gatherInterval: gatherInterval)
    }

    /// Starts muxing.
    func start(logger: Logger) {
        task.withLock { $0 = Task { await run(logger: logger) } }
    }

    /// Stops muxing and frees the output; readers still on it end.
    func stop() {
        task.withLock { $0 }?.cancel()
        log.release()
    }

    private func run(logger: Logger) async {
        let buffer = source.buffer
        var cursor = buffer.cursor(at: .oldestKeyframe)
        var muxer: TSMuxer?
        while !Task.isCancelled {
            let seen = buffer.nextSequence
            switch buffer.read(from: cursor, maxFrames: Self.batch) {
            case .frames(let frames, let next):
                if muxer == nil {
                    do {
                        muxer = try TSMuxer(parameters: source.parameters())
                    } catch {
                        logger.error(
                            "cannot mux stream", metadata: ["stream": "\(source.name)", "error": "\(error)"])
                        log.end()
                        return
                    }
                }
                for frame in frames {
                    let bytes = muxer!.write(frame)
                    if !bytes.isEmpty {
                        log.append(bytes, isKeyframe: frame.opensGOP, arrival: frame.arrival)
                    }
                }
                cursor = next
                log.trim(before: buffer.oldestArrival)
                await Task.yield()
            case .caughtUp:
                log.markCaughtUp()
                if buffer.arrivals.ended {
                    if let last = muxer?.finish(), !last.isEmpty {
                        log.append(last, isKeyframe: false, arrival: .now)
                    }
                    // Readers take what is left; the log is released when the last one leaves.
                    log.end()
                    return
                }
                await buffer.arrivals.wait(beyond: seen)
            case .behind:
                // The mux itself fell a whole GOP behind (a starved task): it goes on at the
                // newest keyframe, and readers before it learn they are behind.
                cursor = buffer.cursor(at: .newestKeyframe)
            }
        }
    }
}
