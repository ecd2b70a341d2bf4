/// Checks one reader's MPEG-TS as it arrives, in whatever pieces the transport delivers: sync
/// bytes, continuity counters per PID, and where the first video keyframe packet is.
///
/// Video PIDs come from the PAT and PMT in the stream itself; a keyframe packet is one on a video
/// PID whose adaptation field sets random_access_indicator, as libavformat's TS muxer does for
/// the first packet of every key frame.
struct TransportStreamCheck {
    static let packetBytes = 188

    /// Packets checked.
    private(set) var packets = 0
    /// Packets with payload whose continuity counter was neither the next one for their PID nor a
    /// repeat of the last, without discontinuity_indicator set: what a player sees as a gap.
    private(set) var continuityErrors = 0
    /// Times the stream lost packet alignment (a packet not starting with 0x47).
    private(set) var syncErrors = 0
    /// Whether a video keyframe packet has been seen.
    private(set) var sawKeyframe = false

    private var carry: [UInt8] = []
    private var inSync = true
    /// The last continuity counter per PID, or -1 before the PID's first packet.
    private var counters = [Int8](repeating: -1, count: 8192)
    private var programMapPIDs: Set<Int> = []
    private var videoPIDs: Set<Int> = []

    init() {
        carry.reserveCapacity(Self.packetBytes)
    }

    /// Checks the next bytes of the stream.
    /// - Returns: Whether they held the stream's first video keyframe packet.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let hadKeyframe = sawKeyframe
        var index = 0
        if !carry.isEmpty {
            let take = min(Self.packetBytes - carry.count, bytes.count)
            carry += bytes[0..<take]
            index = take
            guard carry.count == Self.packetBytes else { return false }
            let packet = carry
            carry.removeAll(keepingCapacity: true)
            packet.withUnsafeBytes { check(UnsafeRawBufferPointer(rebasing: $0[...])) }
        }
        while index < bytes.count {
            // Out of alignment, a sync byte counts only with another one a packet later (when the
            // bytes reach that far): 0x47 is common inside payloads.
            let aligned =
                bytes[index] == 0x47
                && (inSync || index + Self.packetBytes >= bytes.count
                    || bytes[index + Self.packetBytes] == 0x47)
            guard aligned else {
                // Count each loss of alignment once, then look for the next sync byte.
                if inSync { syncErrors += 1 }
                inSync = false
                index += 1
                continue
            }
            inSync = true
            guard bytes.count - index >= Self.packetBytes else {
                carry += bytes[index...]
                break
            }
            check(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + Self.packetBytes)]))
            index += Self.packetBytes
        }
        return !hadKeyframe && sawKeyframe
    }

    private mutating func check(_ packet: UnsafeRawBufferPointer) {
        packets += 1
        let pid = Int(packet[1] & 0x1F) << 8 | Int(packet[2])
        guard pid != 0x1FFF else { return }
        let control = (packet[3] >> 4) & 0x3
        let counter = Int8(packet[3] & 0xF)
        let hasAdaptation = control & 0x2 != 0 && packet[4] > 0
        let flags = hasAdaptation ? packet[5] : 0
        let discontinuity = flags & 0x80 != 0
        if control & 0x1 != 0 {
            let last = counters[pid]
            if last >= 0 && !discontinuity && counter != (last + 1) & 0xF && counter != last {
                continuityErrors += 1
            }
            counters[pid] = counter
            if packet[1] & 0x40 != 0 {
                readTable(pid, packet, payloadAt: control == 0x3 ? 5 + Int(packet[4]) : 4)
            }
        }
        if flags & 0x40 != 0 && videoPIDs.contains(pid) { sawKeyframe = true }
    }

    /// Reads the PAT (the PMTs' PIDs) and PMTs (the video PIDs) from a packet that starts a
    /// section; libavformat writes each in one packet.
    private mutating func readTable(_ pid: Int, _ packet: UnsafeRawBufferPointer, payloadAt start: Int) {
        guard pid == 0 || programMapPIDs.contains(pid), start < Self.packetBytes else { return }
        let section = start + 1 + Int(packet[start])
        guard section + 8 <= Self.packetBytes else { return }
        let length = Int(packet[section + 1] & 0x0F) << 8 | Int(packet[section + 2])
        // The section's end without its CRC.
        let end = min(section + 3 + length - 4, Self.packetBytes)
        if pid == 0 && packet[section] == 0x00 {
            var entry = section + 8
            while entry + 4 <= end {
                let program = Int(packet[entry]) << 8 | Int(packet[entry + 1])
                if program != 0 {
                    programMapPIDs.insert(Int(packet[entry + 2] & 0x1F) << 8 | Int(packet[entry + 3]))
                }
                entry += 4
            }
        } else if packet[section] == 0x02, section + 12 <= end {
            let programInfo = Int(packet[section + 10] & 0x0F) << 8 | Int(packet[section + 11])
            var entry = section + 12 + programInfo
            while entry + 5 <= end {
                let elementary = Int(packet[entry + 1] & 0x1F) << 8 | Int(packet[entry + 2])
                if Self.videoStreamTypes.contains(packet[entry]) { videoPIDs.insert(elementary) }
                entry += 5 + (Int(packet[entry + 3] & 0x0F) << 8 | Int(packet[entry + 4]))
            }
        }
    }

    /// MPEG-1/2 video, MPEG-4 part 2, H.264, HEVC.
    private static let videoStreamTypes: Set<UInt8> = [0x01, 0x02, 0x10, 0x1B, 0x24]
}
