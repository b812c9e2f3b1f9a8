import AgentCore
import AgentRuntime

/// The real `TCPConnectProbe`: one `TCPConnector.connect` per call, closed again at once.
package struct SystemTCPProbe: TCPConnectProbe {

    package init() {
    }
    /// Tries every address of `host`:`port` within `timeout`; never throws, the outcome is the result.
    package func canConnect(host: String, port: Int, timeout: Duration) -> TCPConnectResult {
        do {
            _ = try TCPConnector.connect(host: host, port: port, timeout: timeout)
            return .connected
        } catch let error as TCPConnectError {
            switch error.code {
            case .refused: return .refused
            case .timedOut: return .timedOut
            case .unresolved: return .failed("could not resolve \(host): \(error.cause)")
            case .failed: return .failed(error.cause)
            }
        } catch {
            return .failed("\(error)")
        }
    }
}
