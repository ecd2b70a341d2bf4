import Foundation

/// Memory the test process really holds (touched, resident) and Sluice never accounted: what a
/// leak, a library buffer or fragmentation looks like to the controller.
final class Hog {
    private var blocks: [UnsafeMutableRawPointer] = []
    static let blockSize = 4 << 20

    var bytes: Int { blocks.count * Self.blockSize }

    /// Grows or shrinks to `target` bytes, to the nearest block.
    func resize(to target: Int) {
        while bytes + Self.blockSize / 2 <= max(target, 0) {
            let block = UnsafeMutableRawPointer.allocate(byteCount: Self.blockSize, alignment: 4096)
            memset(block, 0x5A, Self.blockSize)
            blocks.append(block)
        }
        while bytes - Self.blockSize / 2 > max(target, 0) { blocks.removeLast().deallocate() }
    }

    deinit { resize(to: 0) }
}
