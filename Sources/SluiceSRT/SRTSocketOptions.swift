import CSRT

/// Typed access to the socket options Sluice uses.
enum SRTSocketOptions {
    static func set(_ socket: SRTSOCKET, _ option: SRT_SOCKOPT, _ value: Int32) throws(SRTError) {
        var value = value
        guard srt_setsockflag(socket, option, &value, Int32(MemoryLayout<Int32>.size)) == 0 else {
            throw SRTLibrary.lastError
        }
    }

    static func set(_ socket: SRTSOCKET, _ option: SRT_SOCKOPT, _ value: Bool) throws(SRTError) {
        var value = value
        guard srt_setsockflag(socket, option, &value, Int32(MemoryLayout<Bool>.size)) == 0 else {
            throw SRTLibrary.lastError
        }
    }

    static func set(_ socket: SRTSOCKET, _ option: SRT_SOCKOPT, _ value: String) throws(SRTError) {
        let result = value.withCString { srt_setsockflag(socket, option, $0, Int32(strlen($0))) }
        guard result == 0 else { throw SRTLibrary.lastError }
    }

    static func int(_ socket: SRTSOCKET, _ option: SRT_SOCKOPT) -> Int32? {
        var value: Int32 = 0
        var length = Int32(MemoryLayout<Int32>.size)
        guard srt_getsockflag(socket, option, &value, &length) == 0 else { return nil }
        return value
    }

    static func string(_ socket: SRTSOCKET, _ option: SRT_SOCKOPT) -> String? {
        var buffer = [CChar](repeating: 0, count: 1024)
        var length = Int32(buffer.count - 1)
        guard srt_getsockflag(socket, option, &buffer, &length) == 0 else { return nil }
        return String(decoding: buffer[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Applies the settings both ends share: live mode, latency and encryption.
    static func applyCommon(
        _ socket: SRTSOCKET, latencyMilliseconds: Int, passphrase: String?, keyLength: Int
    ) throws(SRTError) {
        try set(socket, SRTO_TRANSTYPE, Int32(SRTT_LIVE.rawValue))
        try set(socket, SRTO_LATENCY, Int32(latencyMilliseconds))
        if let passphrase {
            try set(socket, SRTO_PASSPHRASE, passphrase)
            try set(socket, SRTO_PBKEYLEN, Int32(keyLength))
        }
    }
}
