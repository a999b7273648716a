import Runtime

/// `berth ps`'s table: the host's `ps` output cut down to the rows of a
/// container's processes, as runc does it: the header is kept, the PID
/// column is found by name in it, and a row stays when its PID is one of
/// the container's.
enum PsTable {
    static func filter(_ output: String, keeping pids: Set<Int32>) throws(RuntimeError) -> String {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.first, !header.isEmpty else {
            throw RuntimeError(.system, "ps printed nothing")
        }
        guard let column = header.split(separator: " ").firstIndex(of: "PID") else {
            throw RuntimeError(.system, "couldn't find PID field in ps output")
        }
        var kept = [String(header)]
        for line in lines.dropFirst() where !line.isEmpty {
            let fields = line.split(separator: " ")
            guard column < fields.count, let pid = Int32(fields[column]) else {
                throw RuntimeError(.system, "unable to parse pid in ps output line \"\(line)\"")
            }
            if pids.contains(pid) { kept.append(String(line)) }
        }
        return kept.map { $0 + "\n" }.joined()
    }
}
