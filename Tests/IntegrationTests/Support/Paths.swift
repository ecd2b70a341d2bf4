import Foundation

/// Where the package's files are, found from this source file.
enum Paths {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func fixture(_ name: String) -> String {
        root.appendingPathComponent("fixtures").appendingPathComponent(name).path
    }

    /// The `sluice` executable: `SLUICE_BINARY` (set by `make test`) or the debug build.
    static var sluiceBinary: String {
        ProcessInfo.processInfo.environment["SLUICE_BINARY"]
            ?? root.appendingPathComponent(".build/debug/sluice").path
    }

    /// The `sluice-load` executable, built beside `sluice`.
    static var loadBinary: String {
        URL(fileURLWithPath: sluiceBinary).deletingLastPathComponent().appendingPathComponent("sluice-load")
            .path
    }

    /// The `sluice-read` executable, built beside `sluice`.
    static var readBinary: String {
        URL(fileURLWithPath: sluiceBinary).deletingLastPathComponent().appendingPathComponent("sluice-read")
            .path
    }

    static func temporaryFile(_ name: String, contents: String) throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-test-\(UUID().uuidString)-\(name)")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
