import AgentCore
import AgentRuntime
import COpenSSL
import FoundationEssentials
import Glibc

/// Connects to a TLS server, verifies it against given CA certificates and reports what it serves (`certs check --peers`).
package struct TLSPeerProbe {
    /// What a peer served in a verified handshake.
    package struct Result {
        /// The peer's leaf certificate.
        package let leaf: Certificate
        /// The certificates the peer sent, leaf first.
        package let chain: [Certificate]
        /// DER SubjectPublicKeyInfo of the leaf: compare with `PrivateKey.publicKeyDER()`.
        package let publicKeyDER: Data
        /// The negotiated protocol, e.g. "TLSv1.3".
        package let protocolVersion: String
        /// Subjects of `chain` in order, for messages.
        package var chainSubjects: [String] { chain.map(\.subject) }
    }

    /// Trust anchors for the handshake (the certificates of ca.crt).
    package let trusted: [Certificate]
    /// Limit for connect plus handshake.
    package let timeout: TimeInterval

    /// A probe trusting exactly `trusted`, giving up after `timeout` seconds.
    package init(trusted: [Certificate], timeout: TimeInterval = 5) {
        self.trusted = trusted
        self.timeout = timeout
    }

    /// Connects to `host:port`, completes a verifying handshake (checking `expectedName` against the SANs when given) and
    /// returns the served certificate; throws `connectionRefused`, `timedOut`, `connectFailed` or `handshakeFailed`
    /// with the verify result (connect, SSL_connect, SSL_get_verify_result, SSL_get1_peer_certificate).
    package func probe(host: String, port: UInt16, expectedName: String? = nil) throws -> Result {
        let target = TCPConnector.target(host: host, port: Int(port))
        let action = "complete TLS handshake with \(target)"
        // A peer that resets mid-handshake would otherwise kill the process with SIGPIPE; restored afterwards.
        let previousHandler = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previousHandler) }
        let context = try TLSClientContext(trusted: trusted)
        let connection: TCPConnection
        do {
            connection = try TCPConnector.connect(host: host, port: Int(port), timeout: .seconds(timeout))
        } catch let error as TCPConnectError {
            throw Self.openSSLError(error)
        }
        let session = try TLSSession(context: context, connection: connection, expectedName: expectedName)
        try session.handshake(action: action)
        defer { session.shutdown() }
        let leaf = try session.peerCertificate(action: action)
        let chain = try session.peerChain()
        return Result(
            leaf: leaf, chain: chain.isEmpty ? [leaf] : chain, publicKeyDER: try leaf.publicKeyDER(),
            protocolVersion: session.protocolVersion)
    }

    // Callers of the probe see one error type; the connect codes keep their meaning.
    private static func openSSLError(_ error: TCPConnectError) -> OpenSSLError {
        let code: OpenSSLError.Code
        switch error.code {
        case .refused: code = .connectionRefused
        case .timedOut: code = .timedOut
        case .unresolved, .failed: code = .connectFailed
        }
        return OpenSSLError(code: code, action: "connect to \(error.target)", cause: error.cause, hint: error.nextStep)
    }
}
