import AgentCore

/// Who listens on a TCP port of this host (the real one reads /proc/net/tcp, /proc/net/tcp6 and /proc/PID/fd).
package protocol PortListenerLookup {
    /// The process with a listening socket on `port` (any address), or nil when nothing listens; never throws.
    func listener(port: Int) -> PortListener?
}
