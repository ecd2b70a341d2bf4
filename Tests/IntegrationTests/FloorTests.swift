import Foundation
import Glibc
import SluiceSRT
import Testing

extension Integration {
    /// The bench's floor receiver and the libsrt epoll it is built on, over real SRT on loopback.
    @Suite struct Floor {
        @Test func epollReportsOnlyReadyConnectionsUntilRemoved() throws {
            let listener = try SRTListenerGroup(
                options: SRTListenerOptions(host: "127.0.0.1", port: 0), count: 1
            ) { _ in
                .accept(ifRefused: { _ in })
            }
            let callerA = try SRTCaller.connect(host: "127.0.0.1", port: listener.port, streamID: "a")
            let a = try #require(try listener.accept(on: 0))
            let callerB = try SRTCaller.connect(host: "127.0.0.1", port: listener.port, streamID: "b")
            let b = try #require(try listener.accept(on: 0))
            try a.setNonBlocking()
            try b.setNonBlocking()
            let epoll = try SRTEpoll()
            try epoll.add(a)
            try epoll.add(b)
            #expect(epoll.count == 2)
            #expect(try epoll.wait(timeoutMilliseconds: 300).isEmpty, "nothing was sent")

            let message = [UInt8](repeating: 0x47, count: 1316)
            try send(message, on: callerA)
            let ready = try epoll.wait(timeoutMilliseconds: 3000)
            #expect(ready.count == 1)
            #expect(ready.first?.connection === a)
            #expect(ready.first?.events.contains(.readable) == true)
            let buffer = UnsafeMutableRawBufferPointer.allocate(
                byteCount: SRTConnection.maxMessageBytes, alignment: 1)
            defer { buffer.deallocate() }
            guard case .received(let count, let readyAt) = a.receive(into: buffer) else {
                Issue.record("no message")
                return
            }
            #expect(count == 1316)
            // The message's play time, on libsrt's clock, has passed.
            #expect(readyAt <= .now, "ready \(readyAt.elapsed) ago")
            #expect(a.receive(into: buffer) == .nothingQueued)
            #expect(try epoll.wait(timeoutMilliseconds: 300).isEmpty, "a drained connection is not ready")

            epoll.remove(a)
            #expect(epoll.count == 1)
            try send(message, on: callerA)
            // Well past the 120 ms latency at which libsrt releases the message.
            #expect(try epoll.wait(timeoutMilliseconds: 600).isEmpty, "a removed connection is not reported")

            callerB.close()
            let broken = try epoll.wait(timeoutMilliseconds: 3000)
            #expect(broken.count == 1)
            #expect(broken.first?.connection === b)
            #expect(broken.first?.events.contains(.error) == true)
            #expect(b.receive(into: buffer) == .closed)

            epoll.release()
            #expect(throws: SRTError.self) { try epoll.wait(timeoutMilliseconds: 10) }
            callerA.close()
        }

        @Test func floorReceivesWhatCallersSharingASocketSend() async throws {
            let port = SluiceProcess.freePort()
            let floor = Process()
            floor.executableURL = URL(fileURLWithPath: floorBinary)
            floor.arguments = ["--port", "\(port)", "--duration", "60"]
            let output = Pipe()
            floor.standardOutput = output
            try floor.run()
            defer { if floor.isRunning { floor.terminate() } }
            try await waitUntil("the floor to listen") { !udpPortIsFree(port) }

            let (status, loadOutput) = try await Task.detached {
                try run(
                    Paths.loadBinary,
                    [
                        "--port", "\(port)", "--streams", "3", "--file", Paths.fixture("h264_aac.ts"),
                        "--duration", "4", "--callers-per-socket", "2",
                    ])
            }.value
            #expect(status == 0, "\(loadOutput)")
            let load = try JSONSerialization.jsonObject(with: Data(loadOutput.utf8)) as? [String: Any] ?? [:]
            let sentBytes = try #require(load["bytes_sent"] as? Int)
            #expect(sentBytes > 0)

            // The publishers have closed; what libsrt held back for its latency is delivered by
            // now. SIGTERM ends the floor early, and it still reports.
            try await Task.sleep(for: .milliseconds(500))
            floor.terminate()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            floor.waitUntilExit()
            #expect(floor.terminationStatus == 0)
            let report = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            #expect(report["connections"] as? Int == 3)
            // A live-mode caller that closes drops what it has not delivered yet (its last few
            // messages); everything before that arrives on loopback.
            let bytes = report["bytes"] as? Int ?? 0
            #expect(bytes <= sentBytes && bytes >= sentBytes * 95 / 100, "\(bytes) of \(sentBytes) bytes")
            let messages = report["messages"] as? Int ?? 0
            let chunks = load["chunks_sent"] as? Int ?? 0
            #expect(messages <= chunks && messages >= chunks * 95 / 100, "\(messages) of \(chunks) messages")
            #expect((report["cpu_seconds"] as? Double ?? 0) > 0)
            // Main, drain, libsrt's receive and send threads, and one TsbPd thread per connection.
            #expect((report["threads"] as? Int ?? 0) >= 3 + 4)
        }

        private var floorBinary: String {
            URL(fileURLWithPath: Paths.sluiceBinary).deletingLastPathComponent().appendingPathComponent(
                "sluice-floor"
            ).path
        }
    }
}

/// Sends one message.
private func send(_ message: [UInt8], on connection: SRTConnection) throws {
    // An untyped closure: a typed-throws one here crashes Swift 6.3.1's IR generation.
    try message.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws -> Void in try connection.send(bytes)
    }
}

/// Whether nothing has bound UDP `port` on the loopback address.
private func udpPortIsFree(_ port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}
