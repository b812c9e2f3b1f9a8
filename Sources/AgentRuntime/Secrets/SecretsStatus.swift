import AgentCore
import FoundationEssentials

/// What `master-agent secrets status` reports: where the record is, who made it and when, the fingerprints of
/// the CA and of the service-account signing key it holds, and whether this master's files match it.
package struct SecretsStatus: Encodable, Sendable {
    /// How one shared file compares with the record.
    package struct FileState: Encodable, Sendable {
        package enum State: String, Encodable, Sendable { case matches, differs, missing, unknown }
        package let item: String
        package let path: String
        package let state: State
    }

    package var store: String
    package var key: String
    package var endpoints: [String]
    package var recordPresent = false
    package var createdBy: String?
    package var createdAt: String?
    /// etcd's revision that created the record, and how often it was written (1: written once, never replaced).
    package var createRevision: Int64?
    package var version: Int64?
    /// SHA-256 of the CA certificate's DER, as `openssl x509 -noout -fingerprint -sha256` prints it.
    package var caFingerprint: String?
    /// SHA-256 of the service-account signing key's public half (DER SubjectPublicKeyInfo).
    package var serviceAccountKeyFingerprint: String?
    package var files: [FileState] = []
    package var problems: [String] = []

    package var healthy: Bool { problems.isEmpty }

    /// Reads the record once from etcd (no retries) and compares it with this master's files; every failure
    /// becomes a problem in the result, never a thrown error.
    package static func gather(_ context: BootstrapContext) -> SecretsStatus {
        let config = context.config
        var status = SecretsStatus(
            store: config.secrets.store.rawValue, key: config.secretsRecordKey, endpoints: config.etcd.endpoints)
        guard config.secrets.store == .etcd else { return status }
        do {
            try status.fill(context, set: SharedSecretSet.forConfig(config))
        } catch {
            status.problems.append("\(error)")
        }
        return status
    }

    private mutating func fill(_ context: BootstrapContext, set: SharedSecretSet) throws {
        guard let makeEtcd = context.makeEtcdTransport, let cipher = context.secretsCipher else {
            throw UsageError("no etcd transport or secrets cipher is wired into this run")
        }
        let etcd = EtcdClient(transport: try makeEtcd(), endpoints: context.config.etcd.endpoints)
        guard let stored = try etcd.get(key) else {
            problems.append("no record at \(key) in etcd yet: run master-agent bootstrap on a master")
            return
        }
        recordPresent = true
        createRevision = stored.createRevision
        version = stored.version
        let record = try SecretsRecord.decode(stored.value, key: key)
        createdBy = record.createdBy
        createdAt = record.createdAt
        files = set.items.map { FileState(item: $0.name, path: $0.path, state: .unknown) }
        let token = try JoinTokenFile.read(context.files, path: context.config.secrets.tokenFile)
        let secrets = try SecretsSealer(cipher: cipher).open(
            record, token: token, clusterName: context.config.cluster.name, etcdKey: key)
        try fingerprints(secrets, set: set, cipher: cipher, pki: context.pki)
        // An optional item the record lacks (a CA key kept offline) is each master's own business.
        let shared = set.items.filter { !($0.isOptional && secrets.items[$0.name] == nil) }
        files = try shared.map { item in
            let local = try context.files.readFile(item.path)
            let state: FileState.State =
                local == nil
                ? .missing : (try? item.value(inFile: local!.data)) == secrets.items[item.name] ? .matches : .differs
            if state != .matches {
                problems.append("\(item.path) \(state == .missing ? "is missing" : "differs from the record")")
            }
            return FileState(item: item.name, path: item.path, state: state)
        }
    }

    private mutating func fingerprints(
        _ secrets: SharedSecrets, set: SharedSecretSet, cipher: SecretsCipher, pki: PKIToolkit?
    ) throws {
        if let caPEM = secrets.items[set.caCertificate],
            let der = PEMDocument.firstBlockDER(caPEM, label: "CERTIFICATE")
        {
            caFingerprint = PEMDocument.colonHex(try cipher.sha256(der))
        }
        if let keyPEM = secrets.items[set.serviceAccountKey], let pki {
            serviceAccountKeyFingerprint = PEMDocument.colonHex(try cipher.sha256(try pki.publicKey(ofKey: keyPEM)))
        }
    }
}
