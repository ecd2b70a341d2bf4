import SluiceDemux
import SluiceSRT

/// Feeds the demuxer from a live SRT connection, woken by data.
///
/// The session's thread sleeps in the connection's epoll until libsrt has a message for it, so
/// a stream that sends nothing costs no CPU; when woken it drains every queued message straight
/// into libavformat's buffer, so a busy stream is read in batches. The idle timeout is the
/// epoll's own timeout, not a poll: a closed connection or an idle publisher ends the read at
/// once.
final class SRTByteSource: ByteSource {
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
                let remaining = idleTimeout - (ContinuousClock.now - lastData)
                guard remaining > .zero else {
                    wentIdle = true
                    return .end
                }
                if connection.awaitData(timeoutMilliseconds: remaining.wholeMilliseconds) == .closed {
                    return .end
                }
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
