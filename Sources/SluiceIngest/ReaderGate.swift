import SluiceCore
import SluiceSRT

/// Where the SRT front door sends readers (`m=request`): it decides whether one more reader of
/// a live stream fits, and serves the connections that pass the handshake. Delivery provides
/// it; ingest only asks.
public protocol ReaderGate: Sendable {
    /// Why a new reader of `session`'s stream would be refused now, or `nil` if it fits. Asked
    /// on libsrt's receive thread: quick, no blocking.
    /// - Parameter session: The live stream the reader names.
    func refusal(forReaderOf session: IngestSession) -> ReaderRefusal?

    /// Serves a reader that passed the handshake until it leaves or the stream ends; it owns
    /// the connection from here and closes it.
    /// - Parameters:
    ///   - connection: The reader's connection.
    ///   - session: The stream it reads.
    func serve(_ connection: SRTConnection, reading session: IngestSession)

    /// How many readers read `session`'s stream now, of any protocol: a relay ends when it
    /// has had none for a while.
    /// - Parameter session: A live stream.
    func readerCount(of session: IngestSession) -> Int
}
