/// The kernel's list format for CPUs and memory nodes, "0-3,7": the one
/// parser validation (cpu.cpus, cpu.mems, execCPUAffinity, memoryPolicy.nodes)
/// and the launch plan both use.
public enum BitList {
    /// The ranges of `text`, or nil when it is not such a list or names a
    /// bit at or above `limit`. Spaces around the numbers are allowed, as
    /// the kernel's cpuset files allow them.
    public static func parse(_ text: String, below limit: Int = Int(UInt32.max)) -> [ClosedRange<Int>]? {
        var ranges: [ClosedRange<Int>] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).map { $0.filter { $0 != " " } }
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]),
                  low >= 0, low <= high, high < limit else { return nil }
            ranges.append(low...high)
        }
        return ranges
    }
}
