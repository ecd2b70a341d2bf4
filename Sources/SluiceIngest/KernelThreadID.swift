import Glibc

/// The calling thread's kernel id (its `/proc/<pid>/task/<tid>`), read from the
/// `/proc/thread-self` link, since glibc's `gettid` does not reach Swift.
func currentKernelThreadID() -> Int32 {
    var target = [CChar](repeating: 0, count: 64)
    let length = readlink("/proc/thread-self", &target, target.count - 1)
    guard length > 0 else { return 0 }
    let path = String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return path.split(separator: "/").last.flatMap { Int32($0) } ?? 0
}

/// Names the calling thread as `top -H`, `/proc/<pid>/task/<tid>/comm` and profilers show it
/// (at most 15 bytes). Foundation's `Thread.name` does not reach the kernel on Linux, so
/// threads created from the concurrency pool would otherwise all carry its name.
/// - Parameter name: The name; longer names are cut.
func nameCurrentThread(_ name: String) {
    // `/proc/thread-self/comm` is the same setting as `prctl(PR_SET_NAME)`, which is variadic
    // and so out of Swift's reach.
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
