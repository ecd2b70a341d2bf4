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
