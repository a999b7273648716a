import Glibc
import LinuxSystem
import OCI

/// Compiled seccomp filters kept under the state root, so that the next
/// container or exec with the same profile skips libseccomp: a profile of
/// ~300 rules (what managers send) takes ~9 ms to compile, half of a
/// whole `run` (crun keeps such a cache too).
///
/// An entry holds its whole key, compared byte for byte before use, so a
/// name collision can only cost a compile, never load another filter. The
/// key is everything the compile reads: the profile and berth's own binary
/// (its libseccomp and its compiler code). The directory is inside the
/// state root, which berth requires to be root's and private (0700).
public struct SeccompCache: Sendable {
    public let directory: String
    /// More entries than this and the cache starts over.
    static let capacity = 64
    static let largestEntry = 4 << 20
    static let magic = Array("berth seccomp cache 1\n".utf8)

    public init(directory: String) { self.directory = directory }

    /// The cached program, or one compiled (and then kept) on a miss.
    func program(for profile: LinuxSeccomp, compile: () -> SeccompProgram?) -> SeccompProgram? {
        guard let key = Self.key(of: profile) else { return compile() }
        let path = directory + "/" + Self.fileName(of: key)
        if let bytes = try? FileSystem.readFile(path), bytes.count <= Self.largestEntry,
           let cached = Self.decode(bytes, key: key) {
            return cached
        }
        guard let program = compile() else { return nil }
        store(Self.encode(program, key: key), at: path)
        return program
    }

    private func store(_ bytes: [UInt8], at path: String) {
        // A cache that cannot be written is only slower.
        if !FileSystem.isDirectory(directory) { try? FileSystem.makeDirectory(directory, mode: 0o700) }
        if let entries = try? FileSystem.listDirectory(directory), entries.count >= Self.capacity {
            entries.forEach { unlink(directory + "/" + $0) }
        }
        try? FileSystem.writeFileAtomically(path, bytes, mode: 0o600)
    }

    static func key(of profile: LinuxSeccomp) -> [UInt8]? {
        guard let json = try? JSONText.encode(profile) else { return nil }
        var info = stat()
        guard stat("/proc/self/exe", &info) == 0 else { return nil }
        let binary = "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)\n"
        return Array(binary.utf8) + json
    }

    /// FNV-1a, 64 bits: only spreads entries over names.
    static func fileName(of key: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + ".bpf"
    }

    // An entry: magic, then length-prefixed (UInt32 little-endian) key,
    // filter, skipped system call names (newline-separated), and the flags
    // word and the notify byte.

    static func encode(_ program: SeccompProgram, key: [UInt8]) -> [UInt8] {
        var bytes = magic
        for field in [key, program.filter, Array(program.skippedSyscalls.joined(separator: "\n").utf8)] {
            append(UInt32(field.count), to: &bytes)
            bytes += field
        }
        append(program.flags.rawValue, to: &bytes)
        bytes.append(program.usesNotify ? 1 : 0)
        return bytes
    }

    static func decode(_ bytes: [UInt8], key: [UInt8]) -> SeccompProgram? {
        var rest = bytes[...]
        guard rest.starts(with: magic) else { return nil }
        rest = rest.dropFirst(magic.count)
        guard let storedKey = field(&rest), storedKey.elementsEqual(key),
              let filter = field(&rest), filter.count % Seccomp.instructionSize == 0, !filter.isEmpty,
              let skipped = field(&rest), let flags = word(&rest), rest.count == 1, rest.first! <= 1 else { return nil }
        let names = skipped.isEmpty ? [] : String(decoding: skipped, as: UTF8.self).split(separator: "\n").map(String.init)
        return SeccompProgram(filter: Array(filter), flags: SeccompFilterFlags(rawValue: flags),
                              usesNotify: rest.first! == 1, skippedSyscalls: names)
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func word(_ rest: inout ArraySlice<UInt8>) -> UInt32? {
        guard rest.count >= 4 else { return nil }
        let value = rest.prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << UInt32($1.offset * 8) }
        rest = rest.dropFirst(4)
        return value
    }

    private static func field(_ rest: inout ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let count = word(&rest), UInt64(count) <= UInt64(rest.count) else { return nil }
        let value = rest.prefix(Int(count))
        rest = rest.dropFirst(Int(count))
        return value
    }
}
