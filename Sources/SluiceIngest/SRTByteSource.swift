import Foundation
import SluiceCore
import SluiceDemux
import SluiceSRT

/// Feeds the demuxer from a live SRT connection, on its ``DemuxWorker``'s thread.
///
/// The connection is non-blocking. While messages are queued they go to the demuxer one by one;
/// when none is, the source suspends its session's fiber and the worker goes on with other
/// streams, resuming it when libsrt's epoll says the connection is readable again, or when a
/// deadline is due (see ``isDue(at:)``). A stream that sends nothing costs nothing between
/// those checks.
///
/// Bytes are not activity unless they demux to something: until the demuxer has found a video
/// stream, reading stops at the probe's deadline or byte bound (`not_a_stream`), and once the
/// stream is live, reading stops when no frame has come out for the idle timeout, however many
/// bytes of garbage arrive.
final class SRTByteSource: ByteSource {
    /// The most messages read in one turn before the fiber lets the worker's other streams go
    /// first: a publisher far faster than real time must not starve them.
    static let messagesPerTurn = 64

    private let session: IngestSession
    private let connection: SRTConnection
    private let staging: UnsafeMutableRawBufferPointer
    private var staged: Range<Int> = 0..<0
    private var probe: (deadline: ContinuousClock.Instant, bytesLeft: Int)?
    private var messagesThisTurn = 0
    /// Whether libsrt said the last receive's socket was readable (an epoll wake or a message
    /// just read): an empty receive costs libsrt a thrown C++ exception, so a source that read
    /// everything asks whether more is queued before receiving again.
    private var mayBeReadable = true

    /// Hands the thread back to the worker until the connection may have something; set by
    /// the worker once the session's fiber exists.
    var suspend: () -> Void = {}

    /// Whether the source ended because the publisher went idle, or sent only garbage.
    private(set) var wentIdle = false
    /// Whether the source ended because the probe found no stream in time.
    private(set) var probeExpired = false
    /// When libsrt made the last message handed out available (its play time): the frame the
    /// demuxer returns next was completed by it, so a worker that falls behind shows in how
    /// long ago this was.
    private var lastReady = SRTInstant.now

    /// How long ago libsrt made the last message handed out available.
    var sinceLastMessageReady: Duration { lastReady.elapsed }

    /// - Parameters:
    ///   - session: The session whose connection to read; its received-byte count is kept here.
    ///   - probeTimeout: How long the demuxer may take to find the streams.
    ///   - probeBytes: How many bytes it may read to find them.
    init(session: IngestSession, probeTimeout: Duration, probeBytes: Int) {
        self.session = session
        self.connection = session.connection
        staging = .allocate(byteCount: SRTConnection.maxMessageBytes, alignment: 16)
        probe = (.now + probeTimeout, probeBytes)
    }

    deinit { staging.deallocate() }

    /// The demuxer has found the streams: from now on, frames are what count as activity.
    func endProbe() {
        probe = nil
    }

    /// Whether the suspended source has something to say with no data: its connection was
    /// closed (libsrt's epoll does not report a local close), or its probe or idle deadline
    /// passed. The worker asks this of every source a few times a second; it reads only
    /// atomics and the clock.
    /// - Parameter now: The current time.
    func isDue(at now: ContinuousClock.Instant) -> Bool {
        if connection.closed { return true }
        if let probe, now >= probe.deadline { return true }
        return session.sinceLastFrame >= session.idleTimeout
    }

    /// The worker found the connection readable (or broken).
    func noteReadable() {
        mayBeReadable = true
        messagesThisTurn = 0
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> ByteSourceRead {
        if let probe {
            guard ContinuousClock.now < probe.deadline, probe.bytesLeft > 0 else {
                probeExpired = true
                return .end
            }
        } else if session.sinceLastFrame >= session.idleTimeout {
            wentIdle = true
            return .end
        }
        let read = receive(into: buffer)
        if case .bytes(let count) = read, let left = probe?.bytesLeft { probe?.bytesLeft = left - count }
        return read
    }

    private func receive(into buffer: UnsafeMutableRawBufferPointer) -> ByteSourceRead {
        let handed = takeStaged(into: buffer)
        // A message at hand goes to the demuxer now: waiting for the next would hold back the
        // frame it completes.
        if handed > 0 { return .bytes(handed) }
        // Whole messages go straight into libavformat's buffer when they fit; one that might
        // not goes to the staging buffer and is handed out in pieces.
        let direct = buffer.count >= SRTConnection.maxMessageBytes
        let target = direct ? buffer : staging
        while true {
            if messagesThisTurn >= Self.messagesPerTurn {
                // Still readable: the worker's next wait reports it again at once.
                suspend()
                messagesThisTurn = 0
            }
            if !mayBeReadable && !connection.isReadable {
                if let end = expiry() { return end }
                suspend()
                continue
            }
            switch connection.receive(into: target) {
            case .received(let count, let readyAt):
                messagesThisTurn += 1
                mayBeReadable = false
                lastReady = readyAt
                session.receivedBytes.add(count, ordering: .relaxed)
                if direct { return .bytes(count) }
                staged = 0..<count
                return .bytes(takeStaged(into: buffer))
            case .nothingQueued:
                mayBeReadable = false
                if let end = expiry() { return end }
                suspend()
            case .closed:
                return .end
            }
        }
    }

    /// Ends the read if a deadline passed while nothing was queued.
    private func expiry() -> ByteSourceRead? {
        if connection.closed { return .end }
        if let probe, ContinuousClock.now >= probe.deadline {
            probeExpired = true
            return .end
        }
        if session.sinceLastFrame >= session.idleTimeout {
            wentIdle = true
            return .end
        }
        return nil
    }

    private func takeStaged(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, staged.count)
        guard count > 0 else { return 0 }
        buffer.baseAddress!.copyMemory(from: staging.baseAddress! + staged.lowerBound, byteCount: count)
        staged = (staged.lowerBound + count)..<staged.upperBound
        return count
    }
}
