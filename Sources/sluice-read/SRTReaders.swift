import SluiceSRT

/// SRT readers on one thread: each connects as a caller with a reader stream id, and one
/// ``SRTEpoll`` serves every connection that has messages queued.
struct SRTReaders {
    let host: String
    let port: UInt16
    let streamID: String
    let latency: Int
    let passphrase: String?
    /// Readers that share one local UDP socket (and libsrt's two threads for it).
    let callersPerSocket: Int

    private struct Lane {
        let connection: SRTConnection
        var tally = ReaderTally()
        var open = true
    }

    /// Connects `plan.readers` readers at the plan's pace and reads until the plan's end.
    func run(_ plan: ReadPlan, into report: inout ReadReport) throws {
        let epoll = try SRTEpoll()
        defer { epoll.release() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: SRTConnection.maxMessageBytes, alignment: 1)
        defer { buffer.deallocate() }
        var lanes: [Lane] = []
        var bySocket: [Int32: Int] = [:]
        var joined = 0
        var groupPort: UInt16?
        while ContinuousClock.now < plan.end {
            while joined < plan.readers && plan.joinTime(joined) <= .now {
                if joined % max(callersPerSocket, 1) == 0 { groupPort = nil }
                joined += 1
                do {
                    let connection = try SRTCaller.connect(
                        host: host, port: port, streamID: streamID, latencyMilliseconds: latency,
                        passphrase: passphrase, localPort: groupPort)
                    if groupPort == nil { groupPort = connection.localPort }
                    try connection.setNonBlocking()
                    try epoll.add(connection)
                    bySocket[connection.id] = lanes.count
                    lanes.append(Lane(connection: connection))
                } catch {
                    if let code = error.rejection?.code {
                        report.refused[String(code), default: 0] += 1
                    } else {
                        report.connectFailures += 1
                    }
                }
            }
            let wait = joined < plan.readers ? plan.joinTime(joined) : plan.end
            let timeout = max(0, min(Int(milliseconds(wait - .now).rounded(.up)), 100))
            for readiness in try epoll.wait(timeoutMilliseconds: timeout) {
                guard let index = bySocket[readiness.connection.id] else { continue }
                drain(&lanes[index], into: buffer, epoll: epoll)
            }
        }
        for index in lanes.indices {
            if let stats = lanes[index].connection.statistics() {
                report.srtPacketsReceived += stats.packetsReceived
                report.srtPacketsLost += stats.packetsLost
                report.srtPacketsDropped += stats.packetsDropped
            }
            lanes[index].connection.close()
            report.perReader.append(lanes[index].tally.final)
        }
    }

    private func drain(_ lane: inout Lane, into buffer: UnsafeMutableRawBufferPointer, epoll: SRTEpoll) {
        while lane.open {
            switch lane.connection.receive(into: buffer) {
            case .received(let count, _):
                lane.tally.receive(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            case .nothingQueued:
                return
            case .closed:
                // Sluice closes a reader's connection when its stream ends.
                lane.open = false
                lane.tally.result.end = "stream_ended"
                epoll.remove(lane.connection)
            }
        }
    }
}
