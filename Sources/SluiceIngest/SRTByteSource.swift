import Foundation
import SluiceDemux
import SluiceSRT

/// Feeds the demuxer from a live SRT connection, in batches.
///
/// In live mode libsrt hands out one message (up to 1456 bytes) at a time, as each one's play
/// time comes. Waking the ingest thread for every message (about 380 times a second for a
/// 4 Mbit/s stream) costs more CPU in context switches than the demuxing itself. So the source
/// reads without blocking, drains every message that is queued straight into libavformat's
/// buffer, and when nothing is queued sleeps for ``batchInterval`` (which adds at most that
/// much delay, well inside a buffer of seconds). A closed connection is noticed at the next
/// wake; so is an idle publisher.
final class SRTByteSource: ByteSource {
    /// How long to sleep when nothing is queued.
    static let batchInterval: TimeInterval = 0.010

    private let session: IngestSession
    private let connection: SRTConnection
    private let idleTimeout: Duration
    private let staging: UnsafeMutableRawBufferPointer
    private var staged: Range<Int> = 0..<0
    private var lastData = ContinuousClock.now

    /// Whether the source ended because the publisher went idle.
    private(set) var wentIdle = false

    /// - Parameters:
    ///   - session: The session whose connection to read; its received-byte count is kept here.
    ///   - idleTimeout: How long the publisher may send nothing.
    init(session: IngestSession, idleTimeout: Duration) throws {
        self.session = session
        self.connection = session.connection
        self.idleTimeout = idleTimeout
        staging = .allocate(byteCount: SRTConnection.maxMessageBytes, alignment: 16)
        try connection.setNonBlocking()
    }

    deinit { staging.deallocate() }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> ByteSourceRead {
        var filled = takeStaged(into: buffer)
        while true {
            // Whole messages go straight into libavformat's buffer while they fit; a message
            // that might not fit goes to the staging buffer and is handed out in pieces.
            let direct = buffer.count - filled >= SRTConnection.maxMessageBytes
            let target =
                direct ? UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]) : staging
            switch connection.receive(into: target) {
            case .received(let count):
                lastData = .now
                session.receivedBytes.add(count, ordering: .relaxed)
                if direct {
                    filled += count
                } else {
                    staged = 0..<count
                    filled += takeStaged(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                    return .bytes(filled)
                }
            case .nothingQueued:
                if filled > 0 { return .bytes(filled) }
                if ContinuousClock.now - lastData >= idleTimeout {
                    wentIdle = true
                    return .end
                }
                Thread.sleep(forTimeInterval: Self.batchInterval)
            case .closed:
                return filled > 0 ? .bytes(filled) : .end
            }
        }
    }

    private func takeStaged(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, staged.count)
        guard count > 0 else { return 0 }
        buffer.baseAddress!.copyMemory(from: staging.baseAddress! + staged.lowerBound, byteCount: count)
        staged = (staged.lowerBound + count)..<staged.upperBound
        return count
    }
}
