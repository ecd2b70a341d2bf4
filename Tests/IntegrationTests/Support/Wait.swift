import Foundation

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` every 50 ms until it holds, failing after `seconds`.
func waitUntil(
    _ what: String, timeout seconds: Double = 10, _ condition: () throws -> Bool
) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        guard Date() < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// Polls `condition`, which may wait itself (an HTTP request), every 50 ms until it holds,
/// failing after `seconds`.
func waitUntil(
    _ what: String, timeout seconds: Double = 10, _ condition: () async throws -> Bool
) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try await !condition() {
        guard Date() < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// Polls until `value` is non-nil and returns it.
func waitFor<T>(_ what: String, timeout seconds: Double = 10, _ value: () throws -> T?) async throws -> T {
    var result: T?
    try await waitUntil(what, timeout: seconds) {
        result = try value()
        return result != nil
    }
    return result!
}
