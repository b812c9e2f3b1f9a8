import Foundation
import Yams

/// A kubeconfig (`apiVersion: v1`, `kind: Config`) as kubeadm writes it: clusters, contexts and users with the
/// certificates and key embedded (`*-data`, base64 of the PEM). Keys are encoded in kubeadm's order (alphabetical,
/// as client-go serializes them), so the files look like the ones operators know.
package struct Kubeconfig: Codable, Equatable, Sendable {
    package var apiVersion = "v1"
    package var clusters: [NamedCluster]
    package var contexts: [NamedContext]
    package var currentContext: String
    package var kind = "Config"
    package var users: [NamedUser]

    enum CodingKeys: String, CodingKey {
        case apiVersion, clusters, contexts
        case currentContext = "current-context"
        case kind, users
    }

    package struct NamedCluster: Codable, Equatable, Sendable {
        package var cluster: Cluster
        package var name: String
    }

    package struct Cluster: Codable, Equatable, Sendable {
        /// Base64 of the CA certificate PEM.
        package var certificateAuthorityData: String?
        package var server: String

        enum CodingKeys: String, CodingKey {
            case certificateAuthorityData = "certificate-authority-data"
            case server
        }
    }

    package struct NamedContext: Codable, Equatable, Sendable {
        package var context: Context
        package var name: String
    }

    package struct Context: Codable, Equatable, Sendable {
        package var cluster: String
        package var user: String
    }

    package struct NamedUser: Codable, Equatable, Sendable {
        package var name: String
        package var user: User
    }

    package struct User: Codable, Equatable, Sendable {
        /// Base64 of the client certificate PEM; absent in a partial kubeconfig that waits for a signed certificate.
        package var clientCertificateData: String?
        /// Base64 of the client key PEM.
        package var clientKeyData: String?

        enum CodingKeys: String, CodingKey {
            case clientCertificateData = "client-certificate-data"
            case clientKeyData = "client-key-data"
        }
    }

    /// A kubeconfig with one cluster, one user and one context, the current one (kubeadm's shape).
    /// `clientCertificatePEM` nil gives kubeadm's partial kubeconfig of `certs generate-csr`: the key only.
    package init(
        clusterName: String, server: String, caPEM: Data, userName: String, contextName: String,
        clientCertificatePEM: Data?, clientKeyPEM: Data
    ) {
        clusters = [
            NamedCluster(
                cluster: Cluster(certificateAuthorityData: caPEM.base64EncodedString(), server: server),
                name: clusterName)
        ]
        contexts = [NamedContext(context: Context(cluster: clusterName, user: userName), name: contextName)]
        currentContext = contextName
        users = [
            NamedUser(
                name: userName,
                user: User(
                    clientCertificateData: clientCertificatePEM?.base64EncodedString(),
                    clientKeyData: clientKeyPEM.base64EncodedString()))
        ]
    }

    /// The kubeconfig as YAML (Yams, indent 2, keys in model order). Throws only on a model bug.
    package func yaml() throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.indent = 2
        encoder.options.width = -1
        encoder.options.sortKeys = false
        return try encoder.encode(self)
    }

    /// Decodes a kubeconfig; `file` names it in the error.
    package static func decode(_ text: String, file: String) throws -> Kubeconfig {
        do {
            return try YAMLDecoder().decode(Kubeconfig.self, from: text)
        } catch {
            throw KubeconfigError(file: file, problem: "is not a kubeconfig this agent can read (\(error))")
        }
    }

    /// What a client needs of the current context: the server, the CA and the client certificate and key, as PEM.
    package struct Credentials: Equatable, Sendable {
        package var server: String
        package var caPEM: Data
        package var clientCertificatePEM: Data
        package var clientKeyPEM: Data
    }

    /// The current context's server and embedded credentials; throws `KubeconfigError` naming the field that is
    /// missing, refers to a file instead of embedding it, or is not base64.
    package func currentCredentials(file: String) throws -> Credentials {
        let context = try currentContextEntry(file: file)
        guard let cluster = clusters.first(where: { $0.name == context.cluster })?.cluster else {
            throw KubeconfigError(file: file, problem: "has no cluster \"\(context.cluster)\" (current-context)")
        }
        let user = try userEntry(context.user, file: file)
        func decoded(_ base64: String?, _ field: String) throws -> Data {
            guard let base64 else {
                throw KubeconfigError(file: file, problem: "has no embedded \(field) for the current context")
            }
            guard let data = Data(base64Encoded: base64) else {
                throw KubeconfigError(file: file, problem: "has a \(field) that is not base64")
            }
            return data
        }
        return Credentials(
            server: cluster.server,
            caPEM: try decoded(cluster.certificateAuthorityData, "certificate-authority-data"),
            clientCertificatePEM: try decoded(user.clientCertificateData, "client-certificate-data"),
            clientKeyPEM: try decoded(user.clientKeyData, "client-key-data"))
    }

    /// The current context; throws when `current-context` names none.
    package func currentContextEntry(file: String) throws -> Context {
        guard let context = contexts.first(where: { $0.name == currentContext })?.context else {
            throw KubeconfigError(file: file, problem: "has no context \"\(currentContext)\" (current-context)")
        }
        return context
    }

    /// The user named `name`; throws when there is none.
    package func userEntry(_ name: String, file: String) throws -> User {
        guard let user = users.first(where: { $0.name == name })?.user else {
            throw KubeconfigError(file: file, problem: "has no user \"\(name)\" (current-context)")
        }
        return user
    }
}

/// A kubeconfig that cannot be used, with the file and the reason.
package struct KubeconfigError: Error, Equatable, CustomStringConvertible {
    package let file: String
    package let problem: String

    package init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    package var description: String { "\(file) \(problem)" }
}
