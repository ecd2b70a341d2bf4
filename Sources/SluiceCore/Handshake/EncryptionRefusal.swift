/// Why libsrt itself refused a caller the handshake policy had let through: encryption is
/// checked after the policy decides, by libsrt, which sends its own reject code.
public enum EncryptionRefusal: String, Sendable, Hashable, CustomStringConvertible {
    /// The caller's passphrase is not `srt.passphrase` (libsrt's `BADSECRET`).
    case badSecret = "bad_secret"
    /// One side encrypts and the other does not (libsrt's `UNSECURE`).
    case unsecure

    public var description: String {
        switch self {
        case .badSecret: "bad_secret: the caller's passphrase is not srt.passphrase"
        case .unsecure:
            "unsecure: srt.passphrase is set and the caller does not encrypt, or the caller encrypts and none is set"
        }
    }
}
