import AgentCore

/// Cheap "does anything listen there" probe used while the API port still refuses connections.
/// The real one is `SystemTCPProbe`; tests use a scripted double.
package protocol TCPConnectProbe {
    /// Tries one TCP connect to `host`:`port` for at most `timeout`; never throws, the outcome is the result.
    func canConnect(host: String, port: Int, timeout: Duration) -> TCPConnectResult
}
