import CFFmpeg
import Foundation
import SluiceCore
import Testing

@testable import SluiceDemux

/// Feeds a file to the demuxer in live-mode-sized pieces, as the SRT source does.
final class FileByteSource: ByteSource {
    private let bytes: [UInt8]
    /// How many bytes have been read.
    private(set) var offset = 0
    private let chunk: Int

    init(path: String, chunk: Int = 1316) throws {
        bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        self.chunk = chunk
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
        chunk = 1316
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> ByteSourceRead {
        guard offset < bytes.count else { return .end }
        let count = min(buffer.count, chunk, bytes.count - offset)
        bytes[offset..<offset + count].withUnsafeBytes { buffer.copyMemory(from: $0) }
        offset += count
        return .bytes(count)
    }
}

@Suite struct DemuxerTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures")

    private func demux(_ name: String) throws -> (Demuxer, [Frame], corrupt: Int) {
        try demux(source: FileByteSource(path: Self.fixtures.appendingPathComponent(name).path))
    }

    func demux(source: FileByteSource) throws -> (Demuxer, [Frame], corrupt: Int) {
        let demuxer = try Demuxer(source: source)
        var frames: [Frame] = []
        var corrupt = 0
        loop: while true {
            switch demuxer.next() {
            case .frame(let frame): frames.append(frame)
            case .corrupt: corrupt += 1
            case .end: break loop
            }
        }
        return (demuxer, frames, corrupt)
    }

    @Test func h264AndAACAreIdentifiedAndClassified() throws {
        let (demuxer, frames, corrupt) = try demux("h264_aac.ts")
        #expect(demuxer.streams.map(\.kind) == [.video, .audio])
        #expect(demuxer.streams.map(\.codec) == ["h264", "aac"])
        #expect(demuxer.streams[0].width == 320 && demuxer.streams[0].height == 180)
        #expect(demuxer.streams[1].sampleRate == 48000)
        #expect(corrupt == 0)
        let video = frames.filter { $0.kind == .video }
        // 8 s at 25 fps with 2-second GOPs (see fixtures/make-fixtures.sh).
        #expect(video.count == 200)
        #expect(video.filter { $0.isKeyframe }.count == 4)
        #expect(video.filter { $0.isKeyframe }.allSatisfy { $0.pictureType == .i })
        #expect(video.first?.isKeyframe == true)
        // Without B-pyramids every B-frame is disposable and nothing else is.
        #expect(video.filter { $0.pictureType == .b }.allSatisfy { $0.isDisposable })
        #expect(video.filter { $0.pictureType != .b }.allSatisfy { !$0.isDisposable })
        #expect(video.filter { $0.pictureType == .b }.count > 100)
        // Timestamps are microseconds: 40 ms between frames in decode order.
        let dts = video.compactMap(\.dts)
        #expect(dts.count == video.count)
        #expect(zip(dts, dts.dropFirst()).allSatisfy { $1 - $0 == 40_000 })
        #expect(frames.contains { $0.kind == .audio && $0.pictureType == nil })
    }

    @Test func hevcIsClassifiedToo() throws {
        let (demuxer, frames, _) = try demux("hevc_mp2.ts")
        #expect(demuxer.streams.map(\.codec) == ["hevc", "mp2"])
        let video = frames.filter { $0.kind == .video }
        #expect(video.count == 150)
        #expect(video.filter { $0.isKeyframe }.count == 3)
        let bFrames = video.filter { $0.pictureType == .b }
        #expect(bFrames.count > 50)
        #expect(bFrames.allSatisfy { $0.isDisposable })
        #expect(video.filter { $0.pictureType == .p }.allSatisfy { !$0.isDisposable })
    }

    @Test func payloadsAreTheExactPacketBytes() throws {
        let (_, frames, _) = try demux("h264_video_only.ts")
        let first = try #require(frames.first)
        // An H.264 access unit in Annex B starts with a start code.
        #expect(
            first.payload.withUnsafeBytes { Array($0.prefix(3)) } == [0, 0, 0]
                || first.payload.withUnsafeBytes { Array($0.prefix(3)) } == [0, 0, 1])
        #expect(frames.allSatisfy { $0.heldSize == $0.payload.count + Frame.recordBytes })
    }

    @Test func garbageIsRefusedOrYieldsNothing() throws {
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        do {
            let demuxer = try Demuxer(source: FileByteSource(bytes: noise))
            var events = 0
            var frames = 0
            loop: while events < 100_000 {
                events += 1
                switch demuxer.next() {
                case .end: break loop
                case .frame: frames += 1
                case .corrupt: break
                }
            }
            #expect(events < 100_000, "the end of the input is reached")
            #expect(frames == 0, "random bytes are not taken for media")
        } catch {
            // libavformat finds no transport stream in random bytes: it says the data is invalid,
            // or that the input ended before any stream was found. Nothing else will do.
            #expect([cffmpeg_averror_invaliddata(), cffmpeg_averror_eof()].contains(error.code), "\(error)")
        }
    }
}

extension DemuxerTests {
    @Test func framesMuxBackIntoATransportStreamThatDecodes() throws {
        let (demuxer, frames, _) = try demux("h264_aac.ts")
        // Start at the second keyframe, as a trimmed buffer would.
        let start = try #require(frames.indices.filter { frames[$0].opensGOP }.dropFirst().first)
        let muxer = try TSMuxer(parameters: demuxer.parameters)
        var bytes: [UInt8] = []
        for frame in frames[start...] {
            let output = muxer.write(frame)
            #expect(output.count % 188 == 0, "a frame's output is whole TS packets")
            if frame.opensGOP {
                // The tables before the picture: a reader can start at any keyframe's output.
                let pids = stride(from: 0, to: output.count, by: 188).map {
                    Int(output[$0 + 1] & 0x1F) << 8 | Int(output[$0 + 2])
                }
                let pat = try #require(pids.firstIndex(of: 0), "a PAT with every keyframe")
                #expect(pat < pids.firstIndex(where: { $0 >= 0x100 })!, "the PAT comes before the picture")
            }
            bytes += output
        }
        bytes += muxer.finish()
        #expect(bytes.count > 100_000)
        #expect(bytes.first == 0x47)
        let (again, remuxed, corrupt) = try demux(source: FileByteSource(bytes: bytes))
        #expect(again.streams.map(\.codec) == ["h264", "aac"])
        #expect(corrupt == 0)
        let video = remuxed.filter { $0.kind == .video }
        #expect(video.count == frames[start...].filter { $0.kind == .video }.count)
        #expect(video.first?.isKeyframe == true)
        #expect(video.map(\.dts) == frames[start...].filter { $0.kind == .video }.map(\.dts))
    }

    /// A publisher that loops its file (or restarts, or wraps the 33-bit clock) steps its
    /// timestamps back: the output carries on, in decode order, instead of refusing every frame
    /// until the old timestamps are passed again.
    @Test func theOutputCarriesOnAcrossATimestampStepBack() throws {
        let (demuxer, frames, _) = try demux("h264_aac.ts")
        let muxer = try TSMuxer(parameters: demuxer.parameters)
        var bytes: [UInt8] = []
        for frame in frames + frames { bytes += muxer.write(frame) }
        bytes += muxer.finish()
        let (_, remuxed, corrupt) = try demux(source: FileByteSource(bytes: bytes))
        #expect(corrupt == 0)
        let video = remuxed.filter { $0.kind == .video }
        #expect(video.count == 2 * frames.filter { $0.kind == .video }.count)
        let times = video.compactMap(\.dts)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "decode times only go forward")
    }

    /// A video frame is out as soon as the next one's PES packet begins. libavformat's H.264
    /// parser would hold each frame back until the following one had been read too, a frame
    /// later for every reader; it does not run (see ``Demuxer``).
    @Test func aVideoFrameIsOutAsSoonAsTheNextOneBegins() throws {
        let path = Self.fixtures.appendingPathComponent("h264_video_only.ts").path
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // One TS packet per read, so the source's offset says exactly what libavformat has seen.
        let source = try FileByteSource(path: path, chunk: 188)
        let demuxer = try Demuxer(source: source)
        var emitted: [(index: Int, startsRead: Int)] = []
        var videoFrames = 0
        loop: while true {
            switch demuxer.next() {
            case .frame(let frame) where frame.kind == .video:
                if source.offset < bytes.count {
                    emitted.append((videoFrames, Self.videoPESStarts(in: bytes[..<source.offset])))
                }
                videoFrames += 1
            case .frame, .corrupt: continue
            case .end: break loop
            }
        }
        // Frames read while probing come out later, in a burst; the last ones out before the
        // input ends show the steady state: frame k is out once frame k + 1 has begun.
        let last = try #require(emitted.last)
        #expect(
            last.startsRead == last.index + 2, "frame \(last.index) out after \(last.startsRead) PES starts")
    }

    /// How many video PES packets begin in `bytes`: TS packets that start a payload with a PES
    /// header of a video stream id (0xE0 to 0xEF).
    static func videoPESStarts(in bytes: ArraySlice<UInt8>) -> Int {
        stride(from: bytes.startIndex, to: bytes.endIndex - 187, by: 188).filter { packet in
            guard bytes[packet] == 0x47, bytes[packet + 1] & 0x40 != 0 else { return false }
            let adaptation = bytes[packet + 3] & 0x20 != 0
            let payload = packet + 4 + (adaptation ? 1 + Int(bytes[packet + 4]) : 0)
            return payload + 4 <= packet + 188 && bytes[payload] == 0 && bytes[payload + 1] == 0
                && bytes[payload + 2] == 1 && bytes[payload + 3] & 0xF0 == 0xE0
        }.count
    }
}
