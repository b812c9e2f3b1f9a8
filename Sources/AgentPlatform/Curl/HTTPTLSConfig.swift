import AgentCore
import AgentRuntime
import FoundationEssentials

/// How `HTTPClient` proves who it talks to and who it is: CA file, client certificate, bearer token.
package struct HTTPTLSConfig: Equatable {
    /// PEM CA bundle that must have signed the server's certificate (CURLOPT_CAINFO); nil uses the system store.
    package var caFile: String?
    /// PEM client certificate (CURLOPT_SSLCERT); needs `clientKeyFile`.
    package var clientCertFile: String?
    /// PEM private key of the client certificate (CURLOPT_SSLKEY).
    package var clientKeyFile: String?
    /// File holding a bearer token, read on every request so a rotated token is picked up.
    package var bearerTokenFile: String?
    /// PEM CA bundle held in memory (CURLOPT_CAINFO_BLOB), e.g. a kubeconfig's `certificate-authority-data`;
    /// used instead of `caFile` when set.
    package var caPEM: Data?
    /// PEM client certificate in memory (CURLOPT_SSLCERT_BLOB), e.g. a kubeconfig's `client-certificate-data`;
    /// used instead of `clientCertFile` when set. Needs `clientKeyPEM`.
    package var clientCertificatePEM: Data?
    /// PEM private key in memory (CURLOPT_SSLKEY_BLOB); used instead of `clientKeyFile` when set.
    package var clientKeyPEM: Data?
    /// Turns off certificate and host name verification; only when the operator asked, and the caller logs a warning.
    package var insecureSkipTLSVerify: Bool

    /// Builds a configuration; everything is off by default and verification stays on.
    package init(
        caFile: String? = nil, clientCertFile: String? = nil, clientKeyFile: String? = nil,
        bearerTokenFile: String? = nil, insecureSkipTLSVerify: Bool = false
    ) {
        self.caFile = caFile
        self.clientCertFile = clientCertFile
        self.clientKeyFile = clientKeyFile
        self.bearerTokenFile = bearerTokenFile
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
    }
}
