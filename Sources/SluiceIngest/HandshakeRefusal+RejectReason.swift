import SluiceCore
import SluiceSRT

extension HandshakeRefusal {
    /// The SRT access-control reject code the caller receives.
    var rejectReason: RejectReason {
        switch self {
        case .shuttingDown: .down
        case .badRequest: .badRequest
        case .badMode: .badMode
        case .unsupportedMedia: .unsupportedMedia
        case .conflict: .conflict
        case .capacity, .readerCapacity: .overload
        case .notFound: .notFound
        }
    }
}
