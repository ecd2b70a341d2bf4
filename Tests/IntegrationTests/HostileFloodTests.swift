import Foundation
import Glibc
import SluiceCore
import Testing

extension Integration {
    /// Floods of raw datagrams at the SRT port, beside a good publisher that
    /// must lose nothing.
    @Suite struct HostileFloods {
        /// 50,000 datagrams that are not SRT, or look like SRT control packets and handshakes
        /// with garbage inside, sent as fast as one socket can.
        @Test func aRawUDPFloodLeavesTheGoodPublisherWhole() async throws {
            let server = try TestServer()
            let good = try await GoodPublisher(on: server)
            let sent = try Self.flood(port: server.port, datagrams: 50_000)
            #expect(sent == 50_000)
            try await good.expectWhole()
            let after = try Publisher(fixture: "h264_video_only.ts", url: server.url(streamID: "live/after"))
            _ = try await server.waitForLiveStream("live/after")
            after.process.terminate()
        }

        /// Sends `datagrams` UDP datagrams of random bytes to `port` on loopback; every other one
        /// starts as an SRT control packet (a handshake or another type). Returns how many the
        /// kernel took.
        static func flood(port: UInt16, datagrams: Int) throws -> Int {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard socket >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            // Random bytes drawn once; each datagram is a random slice of them.
            var generator = SystemRandomNumberGenerator()
            let pool = (0..<(1 << 16)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var sent = 0
            for index in 0..<datagrams {
                let length = Int.random(in: 16...1456, using: &generator)
                let start = Int.random(in: 0...(pool.count - length), using: &generator)
                var bytes = Array(pool[start..<start + length])
                if index % 2 == 0 {
                    // Control bit set; type 0 (handshake) for half of them.
                    bytes[0] = 0x80
                    if index % 4 == 0 { bytes[1] = 0 }
                }
                let result = withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socket, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                if result == bytes.count { sent += 1 }
            }
            return sent
        }
    }
}
