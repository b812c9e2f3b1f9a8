import AgentCore

/// Who listens on a TCP port of this host (the real one reads /proc/net/tcp, /proc/net/tcp6 and /proc/PID/fd).
package protocol PortListenerLookup {
    /// The process with a listening socket on `port` (any address), or nil when nothing listens; never throws.
    func listener(port: Int) -> PortListener?
}

/// Reads the certificate a TLS server presents, without trusting or rejecting it, so a failed verification can
/// say which names the certificate does carry (the real one is an OpenSSL handshake with verification off).
package protocol ServedCertificateProbe {
    /// The served leaf certificate's DNS and IP subjectAltNames (`DNS:x`, `IP:x`); throws when no handshake completes.
    func servedNames(host: String, port: Int) throws -> [String]
}
