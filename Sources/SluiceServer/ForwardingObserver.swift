import SluiceDelivery
import SluiceIngest

/// Connects the SRT front door to forwarding: every publisher accepted gets the forwarders its
/// name's rules call for.
struct ForwardingObserver: StreamObserver {
    let forwarding: Forwarding

    func started(_ session: IngestSession) {
        forwarding.apply(to: [session.muxSource])
    }
}
