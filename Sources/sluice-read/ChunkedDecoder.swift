/// Undoes HTTP/1.1 chunked transfer coding as bytes arrive, handing on the chunks' data in place.
struct ChunkedDecoder {
    private enum State {
        /// Reading a chunk-size line (hex digits, then extensions up to the line's end).
        case size(Int, inExtension: Bool)
        /// Inside a chunk's data, with this many bytes to go.
        case data(Int)
        /// Skipping the CRLF after a chunk's data, with this many bytes to go.
        case dataEnd(Int)
        /// The last chunk was read.
        case done
    }

    private var state = State.size(0, inExtension: false)

    /// Whether the zero-size chunk that ends the body has been read.
    var isDone: Bool {
        if case .done = state { return true }
        return false
    }

    /// Decodes `bytes`, calling `body` with each run of chunk data.
    /// - Returns: `false` if the bytes are not chunked coding.
    mutating func decode(_ bytes: UnsafeRawBufferPointer, body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        var index = 0
        while index < bytes.count {
            switch state {
            case .size(let size, let inExtension):
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\n") {
                    state = size == 0 ? .done : .data(size)
                } else if inExtension || byte == UInt8(ascii: "\r") {
                    continue
                } else if let digit = Self.hexValue(byte), size < 1 << 40 {
                    state = .size(size * 16 + digit, inExtension: false)
                } else if byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") {
                    state = .size(size, inExtension: true)
                } else {
                    return false
                }
            case .data(let remaining):
                let take = min(remaining, bytes.count - index)
                body(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]))
                index += take
                state = remaining == take ? .dataEnd(2) : .data(remaining - take)
            case .dataEnd(let remaining):
                index += 1
                state = remaining == 1 ? .size(0, inExtension: false) : .dataEnd(remaining - 1)
            case .done:
                return true
            }
        }
        return true
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
