// swift-tools-version: 6.0
// berth: an OCI container runtime. Targets depend in one direction only:
//   OCI <- LinuxSystem (+ CBerth) <- Cgroups <- Runtime <- berth (CLI)
import PackageDescription

let package = Package(
    name: "berth",
    products: [
        .executable(name: "berth", targets: ["berth"]),
    ],
    targets: [
        // The runtime-spec model and its validation. Pure data: no system calls.
        .target(name: "OCI"),
        // The few things Swift cannot do itself: raw syscalls without glibc
        // wrappers, variadic calls, libseccomp/libcap glue.
        .target(
            name: "CBerth",
            linkerSettings: [.linkedLibrary("seccomp"), .linkedLibrary("cap")]
        ),
        .target(name: "LinuxSystem", dependencies: ["OCI", "CBerth"]),
        .target(name: "Cgroups", dependencies: ["LinuxSystem"]),
        .target(name: "Runtime", dependencies: ["OCI", "LinuxSystem", "Cgroups"]),
        .executableTarget(name: "berth", dependencies: ["Runtime", "LinuxSystem"]),

        .testTarget(name: "OCITests", dependencies: ["OCI"]),
        .testTarget(name: "CgroupsTests", dependencies: ["Cgroups"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "berth"]),
        // Root tests that run the built binary (BERTH_BINARY) on real bundles.
        .testTarget(name: "IntegrationTests"),
    ],
    swiftLanguageModes: [.v6]
)
