import AgentCore
import AgentRuntime
import FoundationEssentials
import Glibc

/// `PortListenerLookup` from procfs: the listening sockets of /proc/net/tcp and /proc/net/tcp6 (state 0A), and the
/// process whose /proc/PID/fd links to the socket's inode (`socket:[INODE]`). Without root only the caller's own
/// processes can be matched; the port is then reported without an owner.
package struct ProcNetListeners: PortListenerLookup {
    /// procfs mount point; tests may point elsewhere.
    package var proc = "/proc"

    package init(proc: String = "/proc") {
        self.proc = proc
    }

    package func listener(port: Int) -> PortListener? {
        let inodes = ["net/tcp", "net/tcp6"].flatMap { listeningInodes(table: "\(proc)/\($0)", port: port) }
        guard !inodes.isEmpty else { return nil }
        guard let pid = owner(of: Set(inodes)) else {
            return PortListener(port: port, pid: nil, program: nil, commandLine: nil)
        }
        let arguments = commandLine(pid)
        let program = arguments.first.flatMap { $0.split(separator: "/").last.map(String.init) }
        return PortListener(
            port: port, pid: pid, program: program,
            commandLine: arguments.isEmpty ? nil : arguments.joined(separator: " "))
    }

    /// The inodes of sockets in LISTEN state (st 0A) on `port` in one /proc/net table.
    package static func listeningInodes(tableText: String, port: Int) -> [String] {
        // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ..."
        tableText.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":"),
                Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port
            else { return nil }
            return String(fields[9])
        }
    }

    private func listeningInodes(table: String, port: Int) -> [String] {
        guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { return [] }
        return Self.listeningInodes(tableText: text, port: port)
    }

    private func owner(of inodes: Set<String>) -> Int? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: proc) else { return nil }
        for entry in entries {
            guard let pid = Int(entry),
                let fds = try? FileManager.default.contentsOfDirectory(atPath: "\(proc)/\(entry)/fd")
            else { continue }
            for fd in fds {
                guard
                    let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(proc)/\(entry)/fd/\(fd)"),
                    link.hasPrefix("socket:["), inodes.contains(String(link.dropFirst(8).dropLast()))
                else { continue }
                return pid
            }
        }
        return nil
    }

    private func commandLine(_ pid: Int) -> [String] {
        guard let data = FileManager.default.contents(atPath: "\(proc)/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}
