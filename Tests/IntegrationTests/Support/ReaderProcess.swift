import Foundation

/// A reader of a live stream as a real client: `ffmpeg` over SRT or `curl` over HTTP, writing
/// what it receives to a file, and what the file decodes to.
final class ReaderProcess {
    let process = Process()
    let output: String
    let startedAt = Date()
    private(set) var endedAt: Date?

    /// `ffmpeg -i 'srt://...' -c copy -f mpegts <file>`.
    static func ffmpeg(_ url: String) throws -> ReaderProcess {
        try ReaderProcess("/usr/bin/ffmpeg") {
            [
                "-hide_banner", "-nostdin", "-loglevel", "error", "-i", url, "-c", "copy", "-f", "mpegts",
                "-y", $0,
            ]
        }
    }

    /// `curl -sS -o <file> [options] <url>`.
    static func curl(_ url: String, options: [String] = []) throws -> ReaderProcess {
        try ReaderProcess("/usr/bin/curl") { ["-sS", "-o", $0] + options + [url] }
    }

    private init(_ executable: String, arguments: (String) -> [String]) throws {
        output = try Paths.temporaryFile("reader.ts", contents: "")
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(output)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: output)
    }

    /// Kills the reader. SIGKILL: a child of the test process inherits its blocked SIGTERM.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the reader to exit and returns its status.
    func exitStatus(timeout: Double = 30) async throws -> Int32 {
        try await waitUntil("the reader to exit", timeout: timeout) { !process.isRunning }
        if endedAt == nil { endedAt = Date() }
        return process.terminationStatus
    }

    /// What it received, for ffprobe.
    var file: TSFile { TSFile(path: output) }
}

/// An MPEG-TS file and what ffprobe and ffmpeg make of it.
struct TSFile {
    let path: String

    /// The first video frame's `key_frame,pict_type`, as ffprobe decodes it (`1,I`).
    func firstVideoFrame() throws -> String {
        let (_, text) = try run(
            "/usr/bin/ffprobe",
            [
                "-v", "error", "-select_streams", "v", "-read_intervals", "%+#1", "-show_entries",
                "frame=key_frame,pict_type", "-of", "csv=p=0", path,
            ])
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What decoding every frame reports (empty: no errors), and whether ffmpeg succeeded.
    /// - Parameter tail: Seconds at the end left out: a reader that was killed mid-frame.
    func decodeErrors(leavingOut tail: Double = 0) throws -> (status: Int32, errors: String) {
        let limit = tail > 0 ? ["-t", String(try timing().duration - tail)] : []
        return try run("/usr/bin/ffmpeg", ["-v", "error", "-i", path] + limit + ["-f", "null", "-"])
    }

    /// The file's start time and duration in seconds, as ffprobe reads its container.
    func timing() throws -> (start: Double, duration: Double) {
        let (_, text) = try run(
            "/usr/bin/ffprobe",
            ["-v", "error", "-show_entries", "format=start_time,duration", "-of", "csv=p=0", path])
        let fields = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
        return (Double(fields.first ?? "") ?? -1, Double(fields.last ?? "") ?? -1)
    }
}
