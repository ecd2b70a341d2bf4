import Foundation
import SluiceCore
import SluiceDemux
import SluiceSRT
import Synchronization

/// One publisher's stream from accept to release: its connection, its frame buffer, its books
/// and its totals.
///
/// One thread, the session's own, reads the connection, demuxes, classifies, admits each frame
/// and, when the input ends, releases everything (see `IngestSession+Run.swift`). Everything
/// else only reads it (readers through cursors into its buffer) or asks it to stop.
public final class IngestSession: Sendable {
    /// The stream's name.
    public let name: StreamName
    /// The stream id exactly as the publisher sent it.
    public let streamID: String
    /// The publisher's address.
    public let peer: String
    /// When the publisher connected.
    public let connectedAt: ContinuousClock.Instant
    /// The stream's memory: its frames in GOPs, its accounting, its rate bucket.
    public let memory: StreamMemory
    /// Which of the SRT listeners sharing the port (and so which libsrt receive thread) the
    /// publisher arrived through.
    public let listener: Int

    let connection: SRTConnection
    let receivedBytes = Atomic<Int>(0)
    let corruptPackets = Atomic<Int>(0)
    let thread = Atomic<Int32>(0)
    // Nanoseconds after `connectedAt`, so the data path stores them without a lock.
    private let lastFrameNanoseconds = Atomic<Int64>(0)
    private let idleTimeoutNanoseconds = Atomic<Int64>(0)
    private let state = Mutex<State>(State())

    private struct State {
        var elementaryStreams: [ElementaryStream] = []
        var parameters: [CodecParameters] = []
        var isLive = false
        var endReason: DisconnectReason?
        var finished = false
    }

    /// Sets up a session for a connection that passed the handshake: its tracker (quota and
    /// priority from the stream rules), the fixed-size buffers libsrt and the demuxer allocate
    /// for it, its GOP buffer and its rate bucket.
    /// - Parameters:
    ///   - name: The stream's name.
    ///   - connection: The publisher's connection.
    ///   - listener: The listener it arrived through.
    ///   - config: The configuration in force.
    ///   - controller: The memory controller whose books the stream joins.
    init(
        name: StreamName, connection: SRTConnection, listener: Int, config: Config,
        controller: MemoryController
    ) {
        let now = ContinuousClock.now
        let tracker = StreamTracker(
            name: name.value, settings: config.memorySettings(for: name.value), ledger: controller.ledger)
        // libsrt allocates the receive buffer and the demuxer its read buffer: count them by size.
        tracker.setFixed(.srtReceiveBuffer, bytes: connection.receiveBufferBytes)
        tracker.setFixed(.demux, bytes: Demuxer.ioBufferBytes + SRTConnection.maxMessageBytes)
        let buffer = GOPBuffer(limits: config.buffer.limits, tracker: tracker)
        self.name = name
        self.streamID = connection.streamID
        self.peer = connection.peer
        self.connection = connection
        self.listener = listener
        self.connectedAt = now
        self.memory = StreamMemory(
            buffer: buffer, bucket: controller.gate.makeStreamBucket(now: now), now: now)
    }

    /// The stream's frames, in GOPs.
    public var buffer: GOPBuffer { memory.buffer }

    /// Seconds since the publisher connected.
    public var uptimeSeconds: Double { (ContinuousClock.now - connectedAt).inSeconds }

    /// The stream's memory accounting by component.
    public var tracker: StreamTracker { memory.tracker }

    /// The elementary streams the demuxer found (empty until the stream is live).
    public var elementaryStreams: [ElementaryStream] { state.withLock { $0.elementaryStreams } }

    /// The codec parameters of the elementary streams, for muxing the frames back out.
    public var codecParameters: [CodecParameters] { state.withLock { $0.parameters } }

    /// Whether the demuxer has identified the streams and frames are flowing.
    public var isLive: Bool { state.withLock { $0.isLive } }

    /// Whether the stream has ended and its buffer has been released.
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// Why the stream ended, once it has.
    public var endReason: DisconnectReason? { state.withLock { $0.endReason } }

    /// Bytes received from the publisher, before demuxing.
    public var bytesReceived: Int { receivedBytes.load(ordering: .relaxed) }

    /// The kernel id of the session's thread (as `top -H` and `/proc/<pid>/task` show it), once
    /// it runs: which thread to look at when one stream costs more CPU than its bytes explain.
    public var threadID: Int32? {
        let id = thread.load(ordering: .relaxed)
        return id == 0 ? nil : id
    }

    /// Packets the demuxer found corrupt and skipped.
    public var corruptPacketCount: Int { corruptPackets.load(ordering: .relaxed) }

    /// libsrt's statistics for the publisher's connection.
    public var transportStatistics: SRTStatistics? { connection.statistics() }

    /// Sets how long the publisher may send nothing before the stream is dropped (at start and
    /// on reload): the session's next blocking receive gives up after that long.
    /// - Parameter timeout: `srt.idle_timeout_ms`.
    public func applyIdleTimeout(_ timeout: Duration) {
        idleTimeoutNanoseconds.store(Int64(timeout.inSeconds * 1e9), ordering: .relaxed)
    }

    /// How long the publisher may go without a frame coming out of its bytes.
    var idleTimeout: Duration { .nanoseconds(idleTimeoutNanoseconds.load(ordering: .relaxed)) }

    /// Notes that a frame came out of the demuxer: the publisher is active.
    func noteFrame(at instant: ContinuousClock.Instant) {
        lastFrameNanoseconds.store(Int64((instant - connectedAt).inSeconds * 1e9), ordering: .relaxed)
    }

    /// Time since the last frame came out of the demuxer (or since going live).
    var sinceLastFrame: Duration {
        (ContinuousClock.now - connectedAt) - .nanoseconds(lastFrameNanoseconds.load(ordering: .relaxed))
    }

    /// Asks the stream to end: closes the connection, which wakes its thread.
    /// - Parameter reason: Why; the first reason given is the one kept.
    public func stop(_ reason: DisconnectReason) {
        noteEnd(reason)
        connection.close()
    }

    func markLive(_ streams: [ElementaryStream], parameters: [CodecParameters]) {
        state.withLock {
            $0.elementaryStreams = streams
            $0.parameters = parameters
            $0.isLive = true
        }
    }

    /// Records the reason the stream ended unless one was given already.
    func noteEnd(_ reason: DisconnectReason) {
        state.withLock { if $0.endReason == nil { $0.endReason = reason } }
    }

    func markFinished() { state.withLock { $0.finished = true } }
}
