import Foundation
import Testing

/// Idmapped bind mounts (config.md `idmap`, `ridmap`, mount uidMappings).
@Suite(.integration) struct IDMappedMountTests {
    /// With the mapping "0 → 1000", files owned by root on the host are seen
    /// as owned by 1000 through the mount, and the host's file is unchanged.
    @Test func aMountsOwnMappingShiftsTheOwnersItShows() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let shared = sandbox.path + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        try "x".write(toFile: shared + "/file", atomically: true, encoding: .utf8)
        let mapping: [[String: Any]] = [["containerID": 0, "hostID": 1000, "size": 1]]
        let result = try sandbox.runShell("stat -c %u:%g /mnt/file") { bundle in
            bundle.mounts.append(["destination": "/mnt", "type": "bind", "source": shared,
                                  "options": ["rbind", "idmap"], "uidMappings": mapping, "gidMappings": mapping])
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1000:1000", "\(result)")
        let attributes = try FileManager.default.attributesOfItem(atPath: shared + "/file")
        #expect((attributes[.ownerAccountID] as? NSNumber)?.intValue == 0)
    }

    /// The source is copied when the mounts before it are in place, as
    /// for any bind mount: here a tmpfs the container mounted at
    /// /data/sub, a path that does not exist in the image, and whose root
    /// (host uid 0) the mapping "0 → 1000" shows as 1000.
    @Test func aSourceIsTheOneTheEarlierMountsShow() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let mapping: [[String: Any]] = [["containerID": 0, "hostID": 1000, "size": 1]]
        let result = try sandbox.runShell("touch /data/sub/file && stat -c %u /mnt/file") { bundle in
            bundle.addMount(destination: "/data", type: "tmpfs", source: "tmpfs", options: ["size=1m"])
            bundle.addMount(destination: "/data/sub", type: "tmpfs", source: "tmpfs", options: ["size=1m"])
            bundle.mounts.append(["destination": "/mnt", "type": "bind", "source": bundle.rootfs + "/data/sub",
                                  "options": ["bind", "idmap"], "uidMappings": mapping, "gidMappings": mapping])
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "1000\n", "\(result)")
    }

    /// Without a mapping of its own the mount takes the container's user
    /// namespace mapping: host root's files show as the container's root.
    @Test func withoutItsOwnMappingTheContainersIsUsed() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let shared = sandbox.path + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        try "x".write(toFile: shared + "/file", atomically: true, encoding: .utf8)
        let result = try sandbox.runShell("stat -c %u /mnt/file") { bundle in
            // The rootfs must belong to the container's root to be usable.
            sandbox.allowMappedRoot()
            _ = try Host.mustRun("/bin/chown", ["-R", "100000:100000", bundle.rootfs])
            var namespaces = bundle.linux["namespaces"] as? [[String: Any]] ?? []
            namespaces.append(["type": "user"])
            bundle.linux["namespaces"] = namespaces
            let mapping: [[String: Any]] = [["containerID": 0, "hostID": 100_000, "size": 65536]]
            bundle.linux["uidMappings"] = mapping
            bundle.linux["gidMappings"] = mapping
            bundle.mounts.append(["destination": "/mnt", "type": "bind", "source": shared, "options": ["bind", "idmap"]])
        }
        guard sandbox.runtime.isBerth else { return }
        #expect(result.succeeded, "\(result)")
        // Host uid 0 through the mapping 0 → 100000 is 100000 on the mount,
        // which the container's namespace shows as its own 0.
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(result)")
    }
}
