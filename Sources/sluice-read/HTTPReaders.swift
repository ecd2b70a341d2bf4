import CEpoll
import Glibc

/// HTTP-TS readers on one thread: non-blocking sockets in one epoll, each sending one `GET`,
/// reading the response head, then the chunked body, checked as MPEG-TS.
///
/// A rate-limited reader reads no faster than its limit and otherwise leaves its socket unread
/// (out of the epoll until its allowance refills), with a small kernel receive buffer, so the
/// server meets a client that really is slow, as with `curl --limit-rate`.
struct HTTPReaders {
    let host: String
    let port: UInt16
    /// The request target: `/streams/NAME.ts` with any query.
    let target: String
    /// Bytes per second each reader reads at most.
    let rateLimit: Int?
    /// Whether a reader whose response ends before the run does connects again, as a player
    /// would: the server then meets the same number of clients for the whole run.
    let reconnect: Bool

    /// A rate-limited reader's kernel receive buffer (the kernel doubles it): autotuned, it would
    /// grow to megabytes and absorb the server's output for many seconds.
    static let limitedReceiveBuffer: Int32 = 16 << 10
    static let readBytes = 64 << 10

    private enum Phase {
        case connecting
        case head([UInt8])
        case body(chunked: Bool)
        case closed
    }

    private struct Lane {
        let socket: Int32
        var phase = Phase.connecting
        var tally = ReaderTally()
        var decoder = ChunkedDecoder()
        var allowance = 0.0
        var refilledAt = ContinuousClock.now
        var pausedUntil: ContinuousClock.Instant?
        var accepted = false
        var closedAt: ContinuousClock.Instant?
        var replaced = false
    }

    /// Connects `plan.readers` readers at the plan's pace and reads until the plan's end.
    func run(_ plan: ReadPlan, into report: inout ReadReport) throws {
        let epoll = epoll_create1(0)
        guard epoll >= 0 else { throw ReadError("epoll_create1 failed: errno \(errno)") }
        defer { close(epoll) }
        let address = try Self.address(host: host, port: port)
        let request = Array(
            "GET \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nUser-Agent: sluice-read\r\n\r\n".utf8)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readBytes, alignment: 1)
        defer { buffer.deallocate() }
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var lanes: [Lane] = []
        var joined = 0
        while ContinuousClock.now < plan.end {
            // A second after a reader ended, another takes its place.
            for index in lanes.indices where reconnect && !lanes[index].replaced {
                guard let closed = lanes[index].closedAt, closed + .seconds(1) <= .now else { continue }
                lanes[index].replaced = true
                report.reconnects += 1
                guard let socket = connect(address, epoll: epoll, index: lanes.count) else {
                    report.connectFailures += 1
                    continue
                }
                lanes.append(Lane(socket: socket))
            }
            while joined < plan.readers && plan.joinTime(joined) <= .now {
                joined += 1
                guard let socket = connect(address, epoll: epoll, index: lanes.count) else {
                    report.connectFailures += 1
                    continue
                }
                lanes.append(Lane(socket: socket))
            }
            var wake = joined < plan.readers ? plan.joinTime(joined) : plan.end
            let now = ContinuousClock.now
            for index in lanes.indices {
                guard let until = lanes[index].pausedUntil else { continue }
                if until <= now {
                    lanes[index].pausedUntil = nil
                    watch(lanes[index].socket, for: UInt32(EPOLLIN.rawValue), epoll: epoll, index: index)
                } else {
                    wake = min(wake, until)
                }
            }
            let timeout = max(0, min(Int32(milliseconds(wake - .now).rounded(.up)), 100))
            let ready = epoll_wait(epoll, &events, Int32(events.count), timeout)
            guard ready > 0 else { continue }
            for event in events[..<Int(ready)] {
                serve(
                    &lanes[Int(event.data.u64)], request: request, buffer: buffer, epoll: epoll,
                    index: Int(event.data.u64), report: &report)
            }
        }
        for lane in lanes {
            if case .closed = lane.phase {} else { close(lane.socket) }
            if lane.accepted { report.perReader.append(lane.tally.final) }
        }
    }

    private func serve(
        _ lane: inout Lane, request: [UInt8], buffer: UnsafeMutableRawBufferPointer, epoll: Int32, index: Int,
        report: inout ReadReport
    ) {
        switch lane.phase {
        case .connecting:
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(lane.socket, SOL_SOCKET, SO_ERROR, &error, &length)
            // The request is far smaller than any socket's send buffer.
            guard error == 0,
                request.withUnsafeBytes({ write(lane.socket, $0.baseAddress, $0.count) }) == request.count
            else {
                report.connectFailures += 1
                finish(&lane, epoll: epoll)
                return
            }
            lane.tally.connectedAt = .now
            lane.refilledAt = .now
            lane.phase = .head([])
            watch(lane.socket, for: UInt32(EPOLLIN.rawValue), epoll: epoll, index: index)
        case .head, .body:
            var limit = Self.readBytes
            if let rateLimit {
                let now = ContinuousClock.now
                let burst = Double(max(rateLimit / 10, 4096))
                lane.allowance = min(
                    burst, lane.allowance + Double(rateLimit) * milliseconds(now - lane.refilledAt) / 1000)
                lane.refilledAt = now
                guard lane.allowance >= 1024 else {
                    lane.pausedUntil =
                        now + .milliseconds(Int((1024 - lane.allowance) * 1000 / Double(rateLimit)) + 1)
                    watch(lane.socket, for: 0, epoll: epoll, index: index)
                    return
                }
                limit = min(limit, Int(lane.allowance))
            }
            let count = read(lane.socket, buffer.baseAddress, limit)
            if count < 0 {
                guard errno != EAGAIN && errno != EINTR else { return }
                lane.tally.result.end = "reset"
                finish(&lane, epoll: epoll)
                return
            }
            if count == 0 {
                var done = false
                if case .body(let chunked) = lane.phase { done = !chunked || lane.decoder.isDone }
                lane.tally.result.end = done ? "stream_ended" : "broken"
                finish(&lane, epoll: epoll)
                return
            }
            lane.allowance -= Double(count)
            receive(&lane, UnsafeRawBufferPointer(rebasing: buffer[..<count]), epoll: epoll, report: &report)
        case .closed:
            break
        }
    }

    private func receive(
        _ lane: inout Lane, _ bytes: UnsafeRawBufferPointer, epoll: Int32, report: inout ReadReport
    ) {
        guard case .head(var head) = lane.phase else {
            deliver(&lane, bytes, epoll: epoll)
            return
        }
        head += bytes
        guard let end = Self.headEnd(head) else {
            lane.phase = .head(head)
            if head.count > 16 << 10 { finish(&lane, epoll: epoll) }
            return
        }
        let text = String(decoding: head[..<end], as: UTF8.self).lowercased()
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.map(String.init) ?? "?"
        guard status == "200" else {
            report.refused[status, default: 0] += 1
            finish(&lane, epoll: epoll)
            return
        }
        lane.accepted = true
        lane.phase = .body(chunked: text.contains("transfer-encoding: chunked"))
        // The body's first bytes may have come with the head.
        Array(head[(end + 4)...]).withUnsafeBytes { deliver(&lane, $0, epoll: epoll) }
    }

    private func deliver(_ lane: inout Lane, _ bytes: UnsafeRawBufferPointer, epoll: Int32) {
        guard case .body(let chunked) = lane.phase else { return }
        guard chunked else {
            lane.tally.receive(bytes)
            return
        }
        var decoder = lane.decoder
        let valid = decoder.decode(bytes) { lane.tally.receive($0) }
        lane.decoder = decoder
        if !valid {
            lane.tally.result.end = "broken"
            finish(&lane, epoll: epoll)
        }
    }

    private func finish(_ lane: inout Lane, epoll: Int32) {
        if case .closed = lane.phase { return }
        epoll_ctl(epoll, EPOLL_CTL_DEL, lane.socket, nil)
        close(lane.socket)
        lane.phase = .closed
        lane.closedAt = .now
    }

    private func connect(_ address: sockaddr_in, epoll: Int32, index: Int) -> Int32? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard socket >= 0 else { return nil }
        if rateLimit != nil {
            var size = Self.limitedReceiveBuffer
            setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = address
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 || errno == EINPROGRESS else {
            close(socket)
            return nil
        }
        var event = epoll_event()
        event.events = UInt32(EPOLLOUT.rawValue)
        event.data.u64 = UInt64(index)
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) == 0 else {
            close(socket)
            return nil
        }
        return socket
    }

    private func watch(_ socket: Int32, for events: UInt32, epoll: Int32, index: Int) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = UInt64(index)
        epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event)
    }

    private static func headEnd(_ head: [UInt8]) -> Int? {
        guard head.count >= 4 else { return nil }
        for index in 0...(head.count - 4)
        where head[index] == 13 && head[index + 1] == 10 && head[index + 2] == 13 && head[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func address(host: String, port: UInt16) throws -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw ReadError("--host must be an IPv4 address, not \(host)")
        }
        return address
    }
}

struct ReadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
