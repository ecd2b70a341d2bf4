import SluiceDemux
import SluiceSRT

/// Feeds the demuxer from a live SRT connection, woken by data.
///
/// The session's thread sleeps in a blocking receive until libsrt has a message for it (at the
/// message's play time), so a stream that sends nothing costs no CPU, and a stream costs
/// wakeups in proportion to its messages. The idle timeout is the receive's own timeout, not a
/// poll; closing the connection wakes the receive at once.
final class SRTByteSource: ByteSource {
    private let session: IngestSession
    private let connection: SRTConnection
    private let staging: UnsafeMutableRawBufferPointer
    private var staged: Range<Int> = 0..<0

    /// Whether the source ended because the publisher went idle.
    private(set) var wentIdle = false

    /// - Parameters:
    ///   - session: The session whose connection to read; its received-byte count is kept here.
    init(session: IngestSession) {
        self.session = session
        self.connection = session.connection
        staging = .allocate(byteCount: SRTConnection.maxMessageBytes, alignment: 16)
    }

    deinit { staging.deallocate() }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> ByteSourceRead {
        let handed = takeStaged(into: buffer)
        // A message at hand goes to the demuxer now: waiting for the next would hold back the
        // frame it completes.
        if handed > 0 { return .bytes(handed) }
        // Whole messages go straight into libavformat's buffer when they fit; one that might
        // not goes to the staging buffer and is handed out in pieces.
        let direct = buffer.count >= SRTConnection.maxMessageBytes
        switch connection.receive(into: direct ? buffer : staging) {
        case .received(let count):
            session.receivedBytes.add(count, ordering: .relaxed)
            if direct { return .bytes(count) }
            staged = 0..<count
            return .bytes(takeStaged(into: buffer))
        case .nothingQueued:
            // The receive waited the whole idle timeout for a message.
            wentIdle = true
            return .end
        case .closed:
            return .end
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
