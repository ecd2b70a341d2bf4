import Foundation
import Glibc
import Synchronization

/// The real `sluice` executable, run as a child process with its standard error collected.
final class SluiceProcess: Sendable {
    let process: Process
    private let stderrText = Mutex<String>("")
    private let outputClosed = Mutex<Bool>(false)

    private let errors = Pipe()

    /// Starts `sluice`.
    /// - Parameters:
    ///   - arguments: Its arguments.
    ///   - readingOutput: Whether its output is read from the start; when not, nothing reads
    ///     it until ``startReading()``, as with a log collector that stalls.
    init(arguments: [String], readingOutput: Bool = true) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.sluiceBinary)
        process.arguments = arguments
        process.standardError = errors
        process.standardOutput = errors
        self.process = process
        if readingOutput { startReading() }
        try process.run()
        // Only the child writes: the pipe reaches its end when the child's output does.
        try errors.fileHandleForWriting.close()
    }

    /// Reads the process's output from here on.
    func startReading() {
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                self?.outputClosed.withLock { $0 = true }
                return
            }
            self?.stderrText.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    var output: String { stderrText.withLock { $0 } }

    /// Whether a log line has `message` (such as `msg=refused`) and ends with `suffix`: the
    /// last key in logfmt's sorted order, such as `stream_id=live/a`.
    func hasLine(_ message: String, endingWith suffix: String) -> Bool {
        output.split(separator: "\n").contains { $0.contains(message) && $0.hasSuffix(suffix) }
    }

    func exitStatus(timeout: Double = 10) async throws -> Int32 {
        // Its last lines may still be in the pipe when it exits: wait for the end of them too.
        try await waitUntil("sluice to exit", timeout: timeout) {
            !process.isRunning && outputClosed.withLock { $0 }
        }
        return process.terminationStatus
    }

    /// A UDP port that was free a moment ago.
    static func freePort() -> UInt16 { freePort(type: SOCK_DGRAM) }

    /// A TCP port that was free a moment ago.
    static func freeTCPPort() -> UInt16 { freePort(type: SOCK_STREAM) }

    private static func freePort(type: __socket_type) -> UInt16 {
        let fd = socket(AF_INET, Int32(type.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, length)
                _ = getsockname(fd, $0, &length)
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
