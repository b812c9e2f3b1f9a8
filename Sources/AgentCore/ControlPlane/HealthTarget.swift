import Foundation

/// One control-plane component the wait-control-plane step waits for: the URLs that must each answer
/// `ok` once, and what the agent knows about the process that should serve them.
package struct HealthTarget: Codable, Equatable, Sendable {
    /// `kubelet`, `kube-apiserver`, `kube-controller-manager`, `kube-scheduler`, `kube-proxy`.
    package var component: String
    /// Absolute URLs, asked in order, e.g. `https://127.0.0.1:6443/livez` then `.../readyz`.
    package var urls: [String]
    /// Host the component is asked on (the certificate-name evidence is about it).
    package var host: String
    /// Port the component listens on (the port-owner evidence is about it).
    package var port: Int
    /// How the agent reaches it: over the local API transport (credentials, CA) or a plain loopback check.
    package var access: Access
    /// The program name expected to own the port (argv[0]'s last component), e.g. `kube-scheduler`.
    package var program: String

    /// How a target is asked.
    package enum Access: String, Codable, Sendable {
        /// Through the local API transport: the configured CA is verified and client credentials are sent.
        case localAPI
        /// Plain HTTP, or HTTPS without verifying the self-signed loopback certificate (see `ControlPlaneTargets`).
        case loopback
    }

    package init(component: String, urls: [String], host: String, port: Int, access: Access, program: String) {
        self.component = component
        self.urls = urls
        self.host = host
        self.port = port
        self.access = access
        self.program = program
    }
}
