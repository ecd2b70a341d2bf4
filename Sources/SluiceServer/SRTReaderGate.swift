import SluiceCore
import SluiceDelivery
import SluiceIngest
import SluiceSRT

/// Connects the SRT front door to delivery: ingest asks it about readers and hands it the
/// accepted ones.
struct SRTReaderGate: ReaderGate {
    let delivery: Delivery

    func refusal(forReaderOf session: IngestSession) -> ReaderRefusal? {
        delivery.refusal(forReaderOf: session.name)
    }

    func serve(_ connection: SRTConnection, reading session: IngestSession) {
        delivery.serve(connection, source: session.muxSource)
    }

    func readerCount(of session: IngestSession) -> Int {
        delivery.readers(of: session.name).count
    }
}

extension IngestSession {
    /// The stream as delivery reads it.
    var muxSource: MuxSource {
        MuxSource(name: name, buffer: buffer, parameters: { [self] in codecParameters })
    }
}
