import SluiceDemux
import SluiceSRT

/// Feeds the demuxer from a live SRT connection.
///
/// In live mode every receive returns one whole message of up to 1456 bytes, and a smaller
/// buffer would truncate it, so messages land in a staging buffer and are handed out in pieces
/// as large as libavformat asks for. A receive timeout lets the loop notice an idle publisher;
/// closing the connection ends a blocked read at once.
final class SRTByteSource: ByteSource {
    private let stream: IngestStream
    private let connection: SRTConnection
    private let idleTimeout: Duration
    private let staging: UnsafeMutableRawBufferPointer
    private var staged: Range<Int> = 0..<0
    private var lastData = ContinuousClock.now

    /// Whether the source ended because the publisher went idle.
    private(set) var wentIdle = false

    /// - Parameters:
    ///   - stream: The stream whose connection to read; its received-byte count is kept here.
    ///   - idleTimeout: How long the publisher may send nothing.
    init(stream: IngestStream, idleTimeout: Duration) throws {
        self.stream = stream
        self.connection = stream.connection
        self.idleTimeout = idleTimeout
        staging = .allocate(byteCount: SRTConnection.maxMessageBytes, alignment: 16)
        let millis =
            idleTimeout.components.seconds * 1000 + idleTimeout.components.attoseconds / 1_000_000_000_000_000
        try connection.setReceiveTimeout(milliseconds: Int(min(250, max(10, millis / 4))))
    }

    deinit { staging.deallocate() }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> ByteSourceRead {
        while staged.isEmpty {
            switch connection.receive(into: staging) {
            case .received(let count):
                staged = 0..<count
                lastData = .now
                stream.receivedBytes.add(count, ordering: .relaxed)
            case .timedOut:
                if ContinuousClock.now - lastData >= idleTimeout {
                    wentIdle = true
                    return .end
                }
            case .closed:
                return .end
            }
        }
        let count = min(buffer.count, staged.count)
        buffer.baseAddress!.copyMemory(from: staging.baseAddress! + staged.lowerBound, byteCount: count)
        staged = (staged.lowerBound + count)..<staged.upperBound
        return .bytes(count)
    }
}
