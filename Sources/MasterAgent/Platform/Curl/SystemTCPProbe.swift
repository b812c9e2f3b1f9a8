/// The real `TCPConnectProbe`: one non-blocking connect per call (`TCPProbe.canConnect`).
struct SystemTCPProbe: TCPConnectProbe {
    func canConnect(host: String, port: Int, timeout: Duration) -> TCPProbe.Result {
        TCPProbe.canConnect(host: host, port: port, timeout: timeout)
    }
}
