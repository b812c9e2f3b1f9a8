import AgentCore

/// Reads the certificate a TLS server presents, without trusting or rejecting it, so a failed verification can
/// say which names the certificate does carry (the real one is an OpenSSL handshake with verification off).
package protocol ServedCertificateProbe {
    /// The served leaf certificate's DNS and IP subjectAltNames (`DNS:x`, `IP:x`); throws when no handshake completes.
    func servedNames(host: String, port: Int) throws -> [String]
}
