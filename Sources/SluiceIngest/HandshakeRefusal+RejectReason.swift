import SluiceCore
import SluiceSRT

extension HandshakeRefusal {
    /// The SRT access-control reject code the caller receives.
    var rejectReason: RejectReason {
        switch self {
        case .shuttingDown, .clusterUnavailable: .down
        case .badRequest: .badRequest
        case .badMode: .badMode
        case .unsupportedMedia: .unsupportedMedia
        case .conflict, .heldElsewhere: .conflict
        case .capacity, .readerCapacity: .overload
        case .notFound: .notFound
        case .encryption(.badSecret): .badSecret
        case .encryption(.unsecure): .unsecure
        }
    }
}

extension EncryptionRefusal {
    /// The refusal libsrt made itself, from the reject code it sent.
    init?(_ reason: RejectReason) {
        switch reason {
        case .badSecret: self = .badSecret
        case .unsecure: self = .unsecure
        default: return nil
        }
    }
}
