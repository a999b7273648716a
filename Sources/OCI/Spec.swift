// The OCI runtime-spec v1.3.0 configuration (config.md), for Linux.
//
// The model mirrors the JSON one to one so that a config decodes and encodes
// without loss. Closed sets of values (namespace types, seccomp actions, …)
// are plain `String`s on purpose: an unknown value must still decode, so that
// validation can report it together with every other problem and its JSON
// path, instead of failing the whole decode at the first surprise.
// Sections for other platforms (windows, solaris, vm, zos, freebsd) are not
// modelled; like any unknown property they are ignored when decoding.

/// The version of the runtime-spec this model implements.
public let ociSpecVersion = "1.3.0"

/// `config.json`: everything needed to create a container.
public struct Spec: Codable, Sendable, Equatable {
    public var ociVersion: String
    public var process: Process?
    public var root: Root?
    public var hostname: String?
    public var domainname: String?
    public var mounts: [Mount]?
    public var hooks: Hooks?
    public var annotations: [String: String]?
    public var linux: Linux?

    public init(
        ociVersion: String = ociSpecVersion, process: Process? = nil, root: Root? = nil,
        hostname: String? = nil, domainname: String? = nil, mounts: [Mount]? = nil,
        hooks: Hooks? = nil, annotations: [String: String]? = nil, linux: Linux? = nil
    ) {
        self.ociVersion = ociVersion
        self.process = process
        self.root = root
        self.hostname = hostname
        self.domainname = domainname
        self.mounts = mounts
        self.hooks = hooks
        self.annotations = annotations
        self.linux = linux
    }
}

/// The container's root filesystem; `path` is absolute or relative to the bundle.
public struct Root: Codable, Sendable, Equatable {
    public var path: String
    public var readonly: Bool?

    public init(path: String, readonly: Bool? = nil) {
        self.path = path
        self.readonly = readonly
    }
}
