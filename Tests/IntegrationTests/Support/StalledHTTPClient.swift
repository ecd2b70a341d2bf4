import Foundation
import Glibc

/// An HTTP client that asks for a stream and never reads it, with the smallest receive buffer
/// the kernel allows.
final class StalledHTTPClient {
    private let fd: Int32

    init(port: Int, path: String) throws {
        // The smallest receive buffer the kernel allows.
        fd = try loopbackTCPConnection(port: port, receiveBuffer: 1)
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
    }

    func close() { Glibc.close(fd) }
}
