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
        // wrappers, variadic calls, libseccomp glue. Only LinuxSystem
        // imports it: every other target reaches the kernel through
        // LinuxSystem's typed wrappers and its SystemCalls seam.
        .target(
            name: "CBerth",
            linkerSettings: [.linkedLibrary("seccomp")]
        ),
        // Each target lists exactly the modules its files import.
        .target(name: "LinuxSystem", dependencies: ["OCI", "CBerth"]),
        .target(name: "Cgroups", dependencies: ["OCI", "LinuxSystem"]),
        .target(name: "Runtime", dependencies: ["OCI", "LinuxSystem", "Cgroups"]),
        .executableTarget(name: "berth", dependencies: ["OCI", "LinuxSystem", "Runtime"]),

        .testTarget(name: "OCITests", dependencies: ["OCI"]),
        .testTarget(name: "CgroupsTests", dependencies: ["OCI", "LinuxSystem", "Cgroups"]),
        .testTarget(name: "RuntimeTests", dependencies: ["OCI", "LinuxSystem", "Cgroups", "Runtime", "berth"]),
        // Root tests that run the built binary (BERTH_BINARY) on real bundles.
        .testTarget(name: "IntegrationTests"),
    ],
    swiftLanguageModes: [.v6]
)
