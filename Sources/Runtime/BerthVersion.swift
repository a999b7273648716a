import LinuxSystem
import OCI

/// What `berth --version` reports.
public enum BerthVersion {
    public static let version = "0.1.0"
    /// The runtime-spec version berth implements and records in states.
    public static let ociVersion = ociSpecVersion
    /// The oldest config.json version berth accepts.
    public static let minimumOCIVersion = "1.0.0"

    public static var commit: String { BuildInfo.commit }

    public static var libseccomp: String { Seccomp.libraryVersion }
}
