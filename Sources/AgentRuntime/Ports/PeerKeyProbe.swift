import AgentCore
import FoundationEssentials

/// Fetches the public key a TLS server serves, verifying it against given CA certificates
/// (the real one is a TLS handshake through OpenSSL).
package protocol PeerKeyProbe {
    /// DER SubjectPublicKeyInfo of the certificate `host:port` serves; throws when unreachable or unverified.
    func servedPublicKey(host: String, port: Int, trustedPEM: Data) throws -> Data
}

/// `certs check --peers`: every other master must serve the same key as ours, or service-account
/// tokens signed on one master are rejected by the others.
package struct PeerKeyCheck {
    package let probe: PeerKeyProbe

    package init(probe: PeerKeyProbe) {
        self.probe = probe
    }

    /// Findings for each other master in `config`, compared with `localKeyDER`.
    package func run(config: ClusterConfig, node: ClusterConfig.Master, localKeyDER: Data, trustedPEM: Data)
        -> [CertificateFinding]
    {
        config.masters.filter { $0.name != node.name }.compactMap { peer in
            let target = "\(peer.address):\(config.apiServer.securePort)"
            do {
                let served = try probe.servedPublicKey(
                    host: peer.address.description, port: config.apiServer.securePort, trustedPEM: trustedPEM)
                guard served != localKeyDER else { return nil }
                return CertificateFinding(
                    severity: .error, code: .peerKeyDiffers, file: peer.name,
                    message:
                        "\(peer.name) (\(target)) serves a different key than this master's apiserver.key: service-account tokens signed on one are rejected by the other. Copy apiserver.key and apiserver.crt from the first master to \(peer.name)."
                )
            } catch {
                return CertificateFinding(
                    severity: .error, code: .peerUnreachable, file: peer.name,
                    message: "could not check \(peer.name) (\(target)): \(error)")
            }
        }
    }
}
