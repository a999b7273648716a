import CBerth
import Glibc

/// eBPF programs of type BPF_PROG_TYPE_CGROUP_DEVICE: how cgroup v2 decides
/// which devices a cgroup's processes may open (CBerth/device_filter.c).
public enum CgroupDeviceProgram {
    /// The size of one eBPF instruction (struct bpf_insn).
    public static let instructionSize = Int(BERTH_BPF_INSTRUCTION_SIZE)

    /// Loads the program; with a non-empty `log` the verifier writes its
    /// reasoning into it (slower, so only to explain a refusal).
    public static func load(_ instructions: [UInt64], log: inout [CChar]) throws(Errno) -> FileDescriptor {
        let fd = instructions.withUnsafeBytes { bytes in
            log.withUnsafeMutableBufferPointer {
                berth_bpf_prog_load_cgroup_device(bytes.baseAddress, UInt32(instructions.count), $0.baseAddress,
                                                  UInt32($0.count))
            }
        }
        if fd < 0 { throw Errno.current }
        return FileDescriptor(rawValue: fd)
    }

    /// Attaches `program` to the cgroup directory `cgroup`, beside any
    /// program already there (BPF_F_ALLOW_MULTI).
    public static func attach(_ program: FileDescriptor, to cgroup: FileDescriptor) throws(Errno) {
        guard berth_bpf_prog_attach(cgroup.rawValue, program.rawValue, BERTH_BPF_CGROUP_DEVICE,
                                    BERTH_BPF_F_ALLOW_MULTI) == 0 else { throw Errno.current }
    }
}

extension FileSystem {
    /// The magic number of the file system holding `path` (statfs), or -1.
    public static func fileSystemType(of path: String) -> Int64 { berth_filesystem_type(path) }
}
