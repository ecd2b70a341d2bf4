import NIOCore
import SluiceCore
import SluiceSRT

extension Delivery {
    /// The bytes of one SRT message to a reader: seven TS packets.
    static let srtMessageBytes = 7 * 188

    /// Serves an SRT reader that passed the handshake, from the newest keyframe, until the
    /// stream ends (then the connection closes) or the reader leaves. Owns the connection.
    /// - Parameters:
    ///   - connection: The reader's connection.
    ///   - source: The stream it reads.
    public func serve(_ connection: SRTConnection, source: MuxSource) {
        let reader: Reader
        do {
            try connection.setNonBlockingSend()
            // The stream's last messages must reach the reader after the close that ends it.
            try connection.setLinger(seconds: 2)
            reader = try openReader(
                of: source, protocolName: .srt, peer: connection.peer, start: .newestKeyframe)
        } catch {
            // Readers arrived together past the limit between the handshake and here.
            logger.warning(
                "refused",
                metadata: ["peer": "\(connection.peer)", "stream": "\(source.name)", "reason": "\(error)"])
            connection.close()
            return
        }
        reader.onCut { connection.close() }
        Task {
            let end = await send(reader, to: connection)
            connection.close()
            reader.finish(end)
        }
    }

    /// Sends a reader's output over an SRT connection until the output ends or the connection
    /// does (``ReaderEnd/left``).
    func send(_ reader: Reader, to connection: SRTConnection) async -> ReaderEnd {
        var sender = SRTMessageSender(connection: connection)
        while true {
            switch await reader.next(maxBytes: 48 * Self.srtMessageBytes) {
            case .end(let end):
                return await sender.flush() ? end : .left
            case .chunks(let chunks):
                for chunk in chunks {
                    guard await sender.send(chunk.bytes) else { return .left }
                }
            }
        }
    }
}

/// Cuts a reader's output into 1316-byte SRT messages, carrying the rest of a chunk over to the
/// next one. A full send buffer is waited out briefly: the reader falls behind meanwhile, and
/// the lag policy moves it forward or cuts it.
struct SRTMessageSender {
    let connection: SRTConnection
    private var carry: ByteBuffer

    init(connection: SRTConnection) {
        self.connection = connection
        carry = ByteBuffer()
        carry.reserveCapacity(Delivery.srtMessageBytes)
    }

    /// Sends `chunk`; `false` once the connection is gone.
    mutating func send(_ chunk: ByteBuffer) async -> Bool {
        var bytes = chunk
        if carry.readableBytes > 0 {
            let take = min(Delivery.srtMessageBytes - carry.readableBytes, bytes.readableBytes)
            carry.writeImmutableBuffer(bytes.readSlice(length: take)!)
            guard carry.readableBytes == Delivery.srtMessageBytes else { return true }
            guard await message(carry) else { return false }
            carry.clear()
        }
        while let whole = bytes.readSlice(length: Delivery.srtMessageBytes) {
            guard await message(whole) else { return false }
        }
        carry.writeImmutableBuffer(bytes)
        return true
    }

    /// Sends what is carried over, as a shorter last message.
    mutating func flush() async -> Bool {
        guard carry.readableBytes > 0 else { return true }
        defer { carry.clear() }
        return await message(carry)
    }

    private func message(_ bytes: ByteBuffer) async -> Bool {
        while true {
            switch bytes.withUnsafeReadableBytes({ connection.trySend($0) }) {
            case .sent: return true
            case .closed: return false
            case .full:
                // libsrt's send buffer drains at the link's pace: there is no readiness to wait on
                // from here but its epoll, which this reader would need to itself.
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }
}
