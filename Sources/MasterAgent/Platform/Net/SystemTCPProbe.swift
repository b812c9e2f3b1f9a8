/// The real `TCPConnectProbe`: one `TCPConnector.connect` per call, closed again at once.
struct SystemTCPProbe: TCPConnectProbe {
    /// Tries every address of `host`:`port` within `timeout`; never throws, the outcome is the result.
    func canConnect(host: String, port: Int, timeout: Duration) -> TCPConnectResult {
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
