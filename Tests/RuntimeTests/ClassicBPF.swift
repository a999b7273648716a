/// A classic BPF interpreter for seccomp programs, enough for what
/// libseccomp and berth's ENOSYS stub emit: it lets a unit test ask what a
/// compiled filter answers for a system call on any architecture without
/// loading it.
enum ClassicBPF {
    static let auditArchX86_64: UInt32 = 0xc000_003e
    static let auditArchI386: UInt32 = 0x4000_0003
    static let auditArchAArch64: UInt32 = 0xc000_00b7

    /// The action (SECCOMP_RET_*) `filter` returns for system call `nr` of
    /// `arch` with all arguments 0, or nil for an instruction this
    /// interpreter does not know or a jump out of the program.
    static func run(_ filter: [UInt8], arch: UInt32, nr: UInt32) -> UInt32? {
        // struct seccomp_data: nr, arch, instruction_pointer, args[6].
        var data = [UInt8](repeating: 0, count: 64)
        withUnsafeBytes(of: nr) { data.replaceSubrange(0..<4, with: $0) }
        withUnsafeBytes(of: arch) { data.replaceSubrange(4..<8, with: $0) }
        var accumulator: UInt32 = 0, index: UInt32 = 0
        var scratch = [UInt32](repeating: 0, count: 16)
        var pc = 0
        let count = filter.count / 8
        while pc < count {
            let base = pc * 8
            let code = UInt16(filter[base]) | UInt16(filter[base + 1]) << 8
            let jt = Int(filter[base + 2]), jf = Int(filter[base + 3])
            let k = (0..<4).reduce(UInt32(0)) { $0 | UInt32(filter[base + 4 + $1]) << (8 * $1) }
            pc += 1
            switch code {
            case 0x20:  // ld [k]
                guard k + 4 <= 64 else { return nil }
                accumulator = (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[Int(k) + $1]) << (8 * $1) }
            case 0x00: accumulator = k                      // ld #k
            case 0x01: index = k                            // ldx #k
            case 0x60: accumulator = scratch[Int(k & 15)]   // ld M[k]
            case 0x61: index = scratch[Int(k & 15)]         // ldx M[k]
            case 0x02: scratch[Int(k & 15)] = accumulator   // st M[k]
            case 0x03: scratch[Int(k & 15)] = index         // stx M[k]
            case 0x54: accumulator &= k                     // and #k
            case 0x44: accumulator |= k                     // or #k
            case 0x07: index = accumulator                  // tax
            case 0x87: accumulator = index                  // txa
            case 0x05: pc += Int(k)                         // ja
            case 0x15: pc += accumulator == k ? jt : jf
            case 0x25: pc += accumulator > k ? jt : jf
            case 0x35: pc += accumulator >= k ? jt : jf
            case 0x45: pc += accumulator & k != 0 ? jt : jf
            case 0x1d: pc += accumulator == index ? jt : jf
            case 0x2d: pc += accumulator > index ? jt : jf
            case 0x3d: pc += accumulator >= index ? jt : jf
            case 0x06: return k                             // ret #k
            case 0x16: return accumulator                   // ret a
            default: return nil
            }
        }
        return nil
    }
}
