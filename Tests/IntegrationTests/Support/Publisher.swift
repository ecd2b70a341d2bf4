import Foundation

/// An `ffmpeg` process pushing a fixture over SRT in real time (`-re -c copy -f mpegts`), as an
/// encoder would.
final class Publisher {
    let process = Process()
    private let errors = Pipe()

    convenience init(fixture: String, url: String, extraInput: [String] = [], extraOutput: [String] = [])
        throws
    {
        try self.init(
            file: Paths.fixture(fixture), url: url, extraInput: extraInput, extraOutput: extraOutput)
    }

    init(file: String, url: String, extraInput: [String] = [], extraOutput: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments =
            ["-hide_banner", "-nostdin", "-loglevel", "error"] + extraInput
            + ["-re", "-i", file, "-c", "copy"] + extraOutput + ["-f", "mpegts", url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Waits for ffmpeg to exit and returns its status.
    func exitStatus(timeout: Double = 30) async throws -> Int32 {
        try await waitUntil("ffmpeg to exit", timeout: timeout) { !process.isRunning }
        return process.terminationStatus
    }

    /// What ffmpeg printed on standard error (read after it exited).
    var errorOutput: String {
        String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}
