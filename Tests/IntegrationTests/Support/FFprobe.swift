import Foundation

/// Ground truth for a fixture, from `ffprobe`: its video frames by picture type and its
/// keyframes.
struct ProbedVideo {
    var pictures: [String: Int] = [:]
    var keyframes = 0
    var audioPackets = 0

    var frames: Int { pictures.values.reduce(0, +) }

    /// Frames of one type in one GOP, on average: the "one GOP of edge loss" allowance.
    func perGOP(_ type: String) -> Int {
        Int((Double(pictures[type, default: 0]) / Double(max(keyframes, 1))).rounded(.up))
    }

    init(fixture: String) throws {
        for line in try Self.run(
            [
                "-select_streams", "v:0", "-show_entries", "frame=key_frame,pict_type", "-of", "csv=p=0",
                Paths.fixture(fixture),
            ])
        {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 2 else { continue }
            pictures[String(fields[1]), default: 0] += 1
            if fields[0] == "1" { keyframes += 1 }
        }
        audioPackets = try Self.run(
            [
                "-select_streams", "a:0", "-show_entries", "packet=pts", "-of", "csv=p=0",
                Paths.fixture(fixture),
            ]
        ).filter { !$0.isEmpty }.count
    }

    private static func run(_ arguments: [String]) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        process.arguments = ["-v", "error"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }
}
