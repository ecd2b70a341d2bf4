import Foundation

/// When each 1316-byte chunk (seven TS packets, one SRT live message) of a transport stream is
/// due, from the stream's own clock: its PCR, interpolated between PCR samples by byte offset,
/// or a constant bitrate when given or when the file has no PCR.
struct TransportStreamSchedule {
    static let chunkBytes = 1316
    static let packetBytes = 188

    /// The file's bytes.
    let bytes: [UInt8]
    /// Seconds from the start at which each chunk is due.
    let offsets: [Double]
    /// The length of one pass over the file, in seconds.
    let duration: Double

    init(bytes: [UInt8], bitrate: Double? = nil) throws {
        guard bytes.count >= Self.chunkBytes, bytes[0] == 0x47 else {
            throw ScheduleError("not an MPEG-TS file (no sync byte at offset 0)")
        }
        self.bytes = bytes
        let chunks = (bytes.count + Self.chunkBytes - 1) / Self.chunkBytes
        let samples = bitrate == nil ? Self.pcrSamples(bytes) : []
        if let bitrate {
            let byteRate = bitrate / 8
            offsets = (0..<chunks).map { Double($0 * Self.chunkBytes) / byteRate }
            duration = Double(bytes.count) / byteRate
        } else if samples.count >= 2, let first = samples.first, let last = samples.last,
            last.time > first.time
        {
            let byteRate = Double(last.offset - first.offset) / (last.time - first.time)
            offsets = (0..<chunks).map {
                Self.interpolate(samples, at: $0 * Self.chunkBytes, byteRate: byteRate)
            }
            duration = Double(bytes.count) / byteRate
        } else {
            throw ScheduleError("the file has no PCR to pace by; pass --bitrate")
        }
    }

    /// (byte offset, seconds) of every PCR of the first PID that carries one.
    private static func pcrSamples(_ bytes: [UInt8]) -> [(offset: Int, time: Double)] {
        var samples: [(Int, Double)] = []
        var pcrPID: Int?
        var offset = 0
        var start: UInt64?
        while offset + packetBytes <= bytes.count {
            defer { offset += packetBytes }
            guard bytes[offset] == 0x47 else { continue }
            let pid = Int(bytes[offset + 1] & 0x1F) << 8 | Int(bytes[offset + 2])
            let adaptation = (bytes[offset + 3] >> 4) & 0x3
            guard adaptation >= 2, bytes[offset + 4] >= 7, bytes[offset + 5] & 0x10 != 0 else { continue }
            if pcrPID == nil { pcrPID = pid }
            guard pid == pcrPID else { continue }
            let b = (6...11).map { UInt64(bytes[offset + $0]) }
            let base = b[0] << 25 | b[1] << 17 | b[2] << 9 | b[3] << 1 | b[4] >> 7
            let pcr = base * 300 + ((b[4] & 1) << 8 | b[5])
            if start == nil { start = pcr }
            samples.append((offset, Double(pcr &- start!) / 27_000_000))
        }
        return samples
    }

    private static func interpolate(
        _ samples: [(offset: Int, time: Double)], at offset: Int, byteRate: Double
    ) -> Double {
        if offset <= samples[0].offset {
            return max(0, samples[0].time - Double(samples[0].offset - offset) / byteRate)
        }
        var low = 0
        var high = samples.count - 1
        if offset >= samples[high].offset {
            return samples[high].time + Double(offset - samples[high].offset) / byteRate
        }
        while high - low > 1 {
            let middle = (low + high) / 2
            if samples[middle].offset <= offset { low = middle } else { high = middle }
        }
        let a = samples[low]
        let b = samples[high]
        return a.time + (b.time - a.time) * Double(offset - a.offset) / Double(b.offset - a.offset)
    }

    func chunk(_ index: Int) -> ArraySlice<UInt8> {
        let start = index * Self.chunkBytes
        return bytes[start..<min(start + Self.chunkBytes, bytes.count)]
    }
}

struct ScheduleError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
