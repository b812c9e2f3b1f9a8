/// A process with a listening TCP socket (from /proc/net/tcp and /proc/PID/fd).
package struct PortListener: Codable, Equatable, Sendable {
    package var port: Int
    /// Nil when the socket's owner could not be found (another PID namespace, no permission).
    package var pid: Int?
    /// argv[0]'s last component, e.g. `kube-scheduler` or `python3`.
    package var program: String?
    /// The command line, clipped, for messages.
    package var commandLine: String?

    package init(port: Int, pid: Int?, program: String?, commandLine: String?) {
        self.port = port
        self.pid = pid
        self.program = program
        self.commandLine = commandLine
    }
}
