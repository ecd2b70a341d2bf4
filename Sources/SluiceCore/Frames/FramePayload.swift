/// The bytes of one frame, held once.
///
/// A payload is allocated at its exact size when the demuxer hands a packet over and is shared,
/// never copied, by everything that holds the frame afterwards. The memory goes back to the
/// allocator when the last ``Frame`` that refers to it is released, so a buffer that forgets a
/// frame really frees its bytes.
public final class FramePayload: @unchecked Sendable {
    // Written once in `init`, read-only afterwards: safe to share across threads.
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes` into a new payload of exactly `bytes.count` bytes.
    /// - Parameter bytes: The packet data to hold.
    public init(copying bytes: UnsafeRawBufferPointer) {
        storage = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(bytes.count, 1), alignment: 16)
        if let base = bytes.baseAddress, bytes.count > 0 {
            storage.baseAddress!.copyMemory(from: base, byteCount: bytes.count)
        }
        count = bytes.count
    }

    /// Copies an array of bytes into a new payload.
    /// - Parameter bytes: The packet data to hold.
    public convenience init(_ bytes: [UInt8]) {
        self.init(copying: bytes.withUnsafeBytes { $0 })
    }

    deinit { storage.deallocate() }

    /// The number of payload bytes.
    public let count: Int

    /// Calls `body` with a read-only view of the bytes.
    /// - Parameter body: A closure that reads the payload; the pointer is valid only inside it.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }
}
