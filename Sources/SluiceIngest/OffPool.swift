import Foundation
import SluiceSystem

/// Runs blocking work (joining threads, closing sockets) on a thread of its own and waits for
/// it without blocking one of the cooperative pool's few threads.
func runOffPool(_ work: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        Thread(kernelName: "off-pool") {
            work()
            continuation.resume()
        }.start()
    }
}
