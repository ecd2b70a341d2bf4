import Foundation
import Glibc

extension Thread {
    /// Makes a thread that gives the kernel its name before it runs `block`, so that `top -H`,
    /// `/proc/<pid>/task/<tid>/comm` and profilers show it.
    ///
    /// Foundation's `name` stays inside Foundation on Linux, and the kernel copies a new
    /// thread's name from the thread that created it: every thread started from Swift's
    /// concurrency pool would show as the pool's (`oot.default-qos`).
    /// - Parameters:
    ///   - kernelName: The name; the kernel keeps its first 15 bytes.
    ///   - block: The thread's work.
    public convenience init(kernelName: String, block: @escaping @Sendable () -> Void) {
        self.init {
            Thread.nameCurrentForKernel(kernelName)
            block()
        }
        name = kernelName
    }

    /// Gives the calling thread's name to the kernel.
    /// - Parameter name: The name; the kernel keeps its first 15 bytes.
    public static func nameCurrentForKernel(_ name: String) {
        // The same setting as `prctl(PR_SET_NAME)`, which is variadic and so out of Swift's
        // reach.
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
