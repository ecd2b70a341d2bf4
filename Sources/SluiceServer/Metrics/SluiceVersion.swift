/// The version reported in `sluice_build_info` and the admin API.
public enum SluiceVersion {
    /// The release version.
    public static let current = "0.3.0"
}
