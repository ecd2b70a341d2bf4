/// Where a stream's memory goes.
public enum MemoryComponent: String, Sendable, CaseIterable, Hashable {
    /// Frame payload bytes.
    case frames
    /// The structures that index them: one record per buffered frame, in its GOP.
    case index
    /// The demuxer's read buffers (the AVIO buffer and the SRT staging buffer).
    case demux
    /// libsrt's receive buffer for the connection, as sized by its socket options. The library
    /// allocates it; Sluice cannot see it in its own allocations, so it is counted from the size.
    case srtReceiveBuffer = "srt_receive_buffer"
    /// Output that only readers need: the stream's shared MPEG-TS output, held for readers to
    /// take, and what readers hold while they send it. Counted so that readers stay inside
    /// the stream's quota and the global budget; it never holds back the buffer's eviction.
    case readers
}
