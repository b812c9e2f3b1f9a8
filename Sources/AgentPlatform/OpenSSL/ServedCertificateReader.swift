import AgentCore
import AgentRuntime
import FoundationEssentials
import Glibc

/// `ServedCertificateProbe` over OpenSSL: a handshake that does not verify, so the names of a certificate that
/// failed verification can be shown (nothing is sent over the connection but the handshake).
package struct ServedCertificateReader: ServedCertificateProbe {
    /// Limit for connect plus handshake, in seconds.
    package var timeout: TimeInterval = 2

    package init(timeout: TimeInterval = 2) {
        self.timeout = timeout
    }

    /// The served leaf's subjectAltNames as `DNS:x`/`IP:x`; throws `OpenSSLError` or `TCPConnectError`
    /// (connect, SSL_connect with SSL_VERIFY_NONE, SSL_get1_peer_certificate).
    package func servedNames(host: String, port: Int) throws -> [String] {
        let action = "read the certificate served on \(TCPConnector.target(host: host, port: port))"
        // A peer that resets mid-handshake would otherwise kill the process with SIGPIPE; restored afterwards.
        let previousHandler = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previousHandler) }
        let context = try TLSClientContext(trusted: [], verify: false)
        let connection = try TCPConnector.connect(host: host, port: port, timeout: .seconds(timeout))
        let session = try TLSSession(context: context, connection: connection, expectedName: nil)
        try session.handshake(action: action)
        defer { session.shutdown() }
        return try session.peerCertificate(action: action).subjectAltNames.map(\.description)
    }
}
