import AgentCore
import AgentRuntime
import FoundationEssentials

/// `PeerKeyProbe` through `TLSPeerProbe` (handshake only, verified against the given CA).
package struct OpenSSLPeerKeyProbe: PeerKeyProbe {
    package let timeout: TimeInterval

    package init(timeout: TimeInterval) {
        self.timeout = timeout
    }

    package func servedPublicKey(host: String, port: Int, trustedPEM: Data) throws -> Data {
        let trusted = try Certificate.loadChain(pemData: trustedPEM, source: "ca.crt")
        return try TLSPeerProbe(trusted: trusted, timeout: timeout).probe(
            host: host, port: UInt16(port), expectedName: host
        ).publicKeyDER
    }
}
