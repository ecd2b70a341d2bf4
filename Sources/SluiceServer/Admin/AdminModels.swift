import Foundation
import Hummingbird
import SluiceCore
import SluiceDelivery
import SluiceDemux
import SluiceIngest
import SluiceSRT

/// One line of `GET /api/streams`.
struct StreamSummary: ResponseEncodable, Decodable {
    var name: String
    var peer: String
    var uptimeSeconds: Double
    var live: Bool
    var codecs: [String]
    var gops: Int
    var bufferedMilliseconds: Int64
    var memoryBytes: Int
    var quotaBytes: Int
    var priority: Int
    var rateLimited: Bool
}

/// `GET /api/streams/{name}`.
struct StreamDetail: ResponseEncodable {
    struct GOPs: Codable {
        var count: Int
        var bufferedMilliseconds: Int64
        var heldBytes: Int
        var frames: [String: Int]
        var startTimesMilliseconds: [Int64]
    }

    struct Memory: Codable {
        var quotaBytes: Int
        var priority: Int
        var totalBytes: Int
        var components: [String: Int]
        var evictedBytes: Int
    }

    struct RateLimit: Codable {
        var limited: Bool
        var tokensBytes: Int
        var bytesPerSecond: Int
    }

    var name: String
    var streamId: String
    var peer: String
    var uptimeSeconds: Double
    var live: Bool
    var elementaryStreams: [ElementaryStream]
    var gops: GOPs
    var memory: Memory
    var rateLimit: RateLimit
    var srt: SRTStatistics?
    var receivedBytes: Int
    var framesReceived: [String: Int]
    var framesDropped: [String: Int]
    var corruptPackets: Int
    /// The SRT listener (and libsrt receive thread) the publisher arrived through.
    var listener: Int
    /// The kernel id of the session's thread, for `top -H`.
    var threadId: Int32?
    var readers: [ReaderDetail]
    /// Where the stream is forwarded (`forward` rules).
    var forwards: [ForwardDetail]
}

/// One reader in `GET /api/streams/{name}` and `GET /api/readers`.
struct ReaderDetail: ResponseEncodable, Codable {
    var id: UInt64
    var stream: String
    var `protocol`: String
    var peer: String
    var uptimeSeconds: Double
    var bytesSent: Int
    var lagMilliseconds: Int
    var lagBytes: Int
    var skips: Int
    /// Bytes handed to the connection and not yet sent.
    var queuedBytes: Int
}

extension ReaderDetail {
    init(_ reader: ReaderStatus) {
        self.init(
            id: reader.id, stream: reader.stream, protocol: reader.protocolName.rawValue, peer: reader.peer,
            uptimeSeconds: reader.uptimeSeconds, bytesSent: reader.bytesSent,
            lagMilliseconds: Int(reader.lagSeconds * 1000), lagBytes: reader.lagBytes, skips: reader.skips,
            queuedBytes: reader.queuedBytes)
    }
}

/// One forward destination in `GET /api/streams/{name}` and `GET /api/forwards`.
struct ForwardDetail: ResponseEncodable, Codable {
    var stream: String
    /// The URL, its passphrase redacted.
    var destination: String
    /// `connecting`, `connected` or `backoff`.
    var state: String
    /// When the current connection was made (RFC 3339, UTC); absent unless connected.
    var connectedSince: String?
    var bytesSent: Int
    var reconnects: Int
    var lastError: String?
    /// The forwarder's reader while connected, for `DELETE /api/readers/{id}`.
    var readerId: UInt64?
}

extension ForwardDetail {
    init(_ forward: ForwardStatus) {
        self.init(
            stream: forward.stream, destination: forward.destination, state: forward.state.rawValue,
            connectedSince: forward.connectedSince?.formatted(.iso8601), bytesSent: forward.bytesSent,
            reconnects: forward.reconnects, lastError: forward.lastError, readerId: forward.readerID)
    }
}

/// `GET /api/memory`.
struct MemoryReport: ResponseEncodable {
    struct StreamUsage: Codable {
        var name: String
        var totalBytes: Int
        var quotaBytes: Int
        var priority: Int
        var components: [String: Int]
    }

    var limitBytes: Int
    var limitSource: String
    var accountedBytes: Int
    var baseBytes: Int
    var residentBytes: Int
    var heapInUseBytes: Int?
    var heapFreeBytes: Int?
    var containerUsageBytes: Int?
    var systemAvailableBytes: Int?
    var level: String
    var pressure: Double
    var peakBytes: Int
    var admittedBytes: Int
    var admittedBytesPerSecond: Double
    var refusingNewStreams: Bool
    var evictions: [String: Int]
    var evictedBytes: Int
    var evictedFrames: Int
    var levelEntries: [String: Int]
    var refusals: [String: Int]
    var shedStreams: Int
    var streams: [StreamUsage]
}

/// `POST /api/memory/evict`'s body.
struct EvictRequest: Decodable {
    /// `"soft"`, `"hard"` or `"critical"`: evict until under that level; `"none"`: every stream
    /// down to its newest GOP.
    var level: String
}

/// `POST /api/memory/evict`'s answer.
struct EvictReport: ResponseEncodable {
    var freedBytes: Int
    var freedFrames: Int
    var pressure: Double
    var level: String
}

/// `GET /readyz` and `GET /healthz`.
struct Readiness: ResponseEncodable {
    var ready: Bool
    var reason: String?
}

struct Acknowledgement: ResponseEncodable {
    var ok: Bool
    var message: String
}

extension ReloadReport: ResponseEncodable {}

extension StreamSummary {
    init(_ stream: IngestSession) {
        let buffered = stream.buffer.summary
        self.init(
            name: stream.name.value, peer: stream.peer, uptimeSeconds: stream.uptimeSeconds,
            live: stream.isLive,
            codecs: stream.elementaryStreams.map(\.description), gops: buffered.gops,
            bufferedMilliseconds: buffered.duration / 1000, memoryBytes: stream.tracker.total,
            quotaBytes: stream.tracker.quota, priority: stream.tracker.priority,
            rateLimited: stream.memory.isRateLimited)
    }
}

extension StreamDetail {
    init(
        _ stream: IngestSession, bytesPerSecond: Int, readers: [ReaderStatus], forwards: [ForwardStatus]
    ) {
        let buffered = stream.buffer.summary
        let counters = stream.buffer.counters
        var frames: [String: Int] = [:]
        for type in PictureType.allCases where buffered.frames[type] > 0 {
            frames[type.rawValue] = buffered.frames[type]
        }
        for kind in [MediaKind.audio, .metadata] where buffered.frames[kind] > 0 {
            frames[kind.rawValue] = buffered.frames[kind]
        }
        var received: [String: Int] = [:]
        for (kind, count) in counters.framesReceived { received[kind.rawValue] = count }
        self.init(
            name: stream.name.value, streamId: stream.streamID, peer: stream.peer,
            uptimeSeconds: stream.uptimeSeconds,
            live: stream.isLive, elementaryStreams: stream.elementaryStreams,
            gops: GOPs(
                count: buffered.gops, bufferedMilliseconds: buffered.duration / 1000,
                heldBytes: buffered.heldBytes, frames: frames,
                startTimesMilliseconds: stream.buffer.gopStartTimes.map { $0 / 1000 }),
            memory: Memory(
                quotaBytes: stream.tracker.quota, priority: stream.tracker.priority,
                totalBytes: stream.tracker.total,
                components: stream.tracker.bytesByComponent, evictedBytes: counters.evictedBytes),
            rateLimit: RateLimit(
                limited: stream.memory.isRateLimited, tokensBytes: Int(stream.memory.rateTokens),
                bytesPerSecond: bytesPerSecond),
            srt: stream.transportStatistics, receivedBytes: stream.bytesReceived,
            framesReceived: received,
            framesDropped: Dictionary(
                uniqueKeysWithValues: counters.framesDropped.map { ($0.key.rawValue, $0.value) }),
            corruptPackets: stream.corruptPacketCount, listener: stream.listener, threadId: stream.threadID,
            readers: readers.map(ReaderDetail.init), forwards: forwards.map(ForwardDetail.init))
    }
}
