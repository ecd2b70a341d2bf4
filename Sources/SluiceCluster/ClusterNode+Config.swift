import SluiceCore

extension ClusterNode {
    /// This node as the configuration describes it: `cluster.node_id`, else the host name;
    /// `cluster.advertise_srt` and `cluster.advertise_http`, else the listen addresses, with
    /// the host name for a wildcard address.
    /// - Parameters:
    ///   - config: The configuration.
    ///   - hostName: The machine's host name.
    public init(config: Config, hostName: String) {
        func advertised(_ address: HostPort?, listen: ListenAddress) -> String {
            if let address { return address.description }
            return listen.host == "0.0.0.0" ? "\(hostName):\(listen.port)" : listen.description
        }
        self.init(
            id: config.cluster.nodeID ?? hostName,
            advertiseSRT: advertised(config.cluster.advertiseSRT, listen: config.srt.listen),
            advertiseHTTP: advertised(config.cluster.advertiseHTTP, listen: config.http.listen))
    }
}
