import Foundation
import SluiceCore
import SluiceDemux

/// The demux path alone, without SRT: a transport-stream file handed to the ``Demuxer`` in
/// live-mode messages (1,316 bytes), every frame classified and copied out as ingest does
/// (admission into a buffer is measured by the admit-path benchmark).
/// What one message costs here is what a stream pays per message on top of receiving it.
enum DemuxBenchmark {
    /// A live-mode SRT message: seven TS packets.
    static let messageBytes = 1_316

    /// Feeds the file from memory, one message per read, as the SRT source does.
    private final class MessageSource: ByteSource {
        private let bytes: [UInt8]
        private var offset = 0
        private(set) var messages = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func read(into buffer: UnsafeMutableRawBufferPointer) -> ByteSourceRead {
            guard offset < bytes.count else { return .end }
            let count = min(buffer.count, messageBytes, bytes.count - offset)
            bytes[offset..<offset + count].withUnsafeBytes { buffer.copyMemory(from: $0) }
            offset += count
            messages += 1
            return .bytes(count)
        }
    }

    /// Nanoseconds per message to demux the file once it is open (a stream pays the opening
    /// and probing once; this is what every later message costs), and how many frames came out.
    static func perMessage(_ bytes: [UInt8]) -> (nanoseconds: Double, frames: Int) {
        let source = MessageSource(bytes)
        guard let demuxer = try? Demuxer(source: source) else { return (0, 0) }
        let opened = source.messages
        var frames = 0
        let elapsed = ContinuousClock().measure {
            loop: while true {
                switch demuxer.next() {
                case .frame: frames += 1
                case .corrupt: continue
                case .end: break loop
                }
            }
        }
        return (MicroBenchmarks.nanoseconds(elapsed) / Double(max(source.messages - opened, 1)), frames)
    }

    /// Nanoseconds per message to copy the file message by message: the floor of touching
    /// the bytes at all.
    static func copyPerMessage(_ bytes: [UInt8]) -> Double {
        let target = UnsafeMutableRawBufferPointer.allocate(byteCount: messageBytes, alignment: 16)
        defer { target.deallocate() }
        let source = MessageSource(bytes)
        let elapsed = ContinuousClock().measure {
            while case .bytes = source.read(into: target) {}
        }
        return MicroBenchmarks.nanoseconds(elapsed) / Double(max(source.messages, 1))
    }
}
