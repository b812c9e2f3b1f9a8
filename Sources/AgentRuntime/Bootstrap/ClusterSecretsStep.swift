import AgentCore
import FoundationEssentials

/// The cluster's shared secrets through etcd (issue 13): the first master to find the store empty seals its
/// shared items into a record created with a compare-and-swap; every master, the losers of that race included,
/// writes the record's items into its files. A key is never overwritten: local files that differ from the
/// record stop the step. Skipped under `secrets.store: none` (files are copied by hand).
package struct ClusterSecretsStep: BootstrapStepRunner {
    /// How each profile gathers or makes its items when the store is empty.
    package let sources: [RenderProfileName: SharedMaterialSource]

    package init(
        sources: [RenderProfileName: SharedMaterialSource] = [
            .legacyHyperkube: LegacySharedMaterial(), .modern: ModernSharedMaterial(),
        ]
    ) {
        self.sources = sources
    }

    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        let config = context.config
        guard config.secrets.store == .etcd else {
            return StepOutcome(
                step: .clusterSecrets, status: .skipped,
                message: "secrets.store is none: the shared files are copied between masters by hand")
        }
        let set = SharedSecretSet.forConfig(config)
        guard let source = sources[config.kubernetes.profile] else {
            return StepOutcome(
                step: .clusterSecrets, status: .notImplemented,
                message: "sharing the \(config.kubernetes.profile.rawValue) profile's secrets through etcd is not "
                    + "built yet; nothing was read or written")
        }
        guard let cipher = context.secretsCipher, let makeEtcd = context.makeEtcdTransport,
            let wallClock = context.wallClock
        else {
            throw UsageError("no etcd transport, secrets cipher or wall clock is wired into this run")
        }
        // The token first: a missing or mistyped one is reported without a round trip to etcd.
        let token = try JoinTokenFile.read(context.files, path: config.secrets.tokenFile)
        let etcd = EtcdClient(transport: try makeEtcd(), endpoints: config.etcd.endpoints)
        let session = SecretsSession(
            context: context, set: set, source: source, etcd: etcd, sealer: SecretsSealer(cipher: cipher),
            wallClock: wallClock, token: token)
        return try session.run()
    }
}

/// One run of the cluster-secrets step, its steps numbered as in the issue.
struct SecretsSession {
    let context: BootstrapContext
    let set: SharedSecretSet
    let source: SharedMaterialSource
    let etcd: EtcdClient
    let sealer: SecretsSealer
    let wallClock: WallClock
    let token: JoinToken

    var key: String { context.config.secretsRecordKey }
    var clusterName: String { context.config.cluster.name }

    /// Seconds between looks at the store while another master is expected to create the record.
    static let waitSchedule = try! BackoffSchedule(initial: 0.5, cap: 3, multiplier: 2)

    func run() throws -> StepOutcome {
        let deadline = context.clock.now() + context.config.secrets.waitTimeout.seconds
        var attempt = 0
        while true {
            // 1. What is in the store, and what this master already has.
            let local = try localFiles()
            if let existing = try retrying(until: deadline, { try etcd.get(key) }) {
                return try apply(existing, local: local, created: false)
            }
            // 2. An empty store: contribute this master's items, or wait for a master that can.
            if let material = try source.material(for: set, local: local, context: context) {
                if context.dryRun {
                    return StepOutcome(
                        step: .clusterSecrets, status: .changed,
                        message: "dry run: no record at \(key) in etcd; this master would create it from "
                            + "\(describe(material: material, local: local)) and write nothing else to etcd")
                }
                return try create(material, local: local, deadline: deadline)
            }
            if context.dryRun {
                return StepOutcome(
                    step: .clusterSecrets, status: .done,
                    message: "dry run: no record at \(key) in etcd, and this master has neither the shared files nor "
                        + "a CA key to make them: it would wait for another master to create the record")
            }
            let remaining = deadline - context.clock.now()
            guard remaining > 0 else { throw NoSecretsRecord(key: key, waited: context.config.secrets.waitTimeout) }
            context.logger.notice(
                "waiting for another master to create the secrets record", metadata: ["key": "\(key)"])
            context.clock.sleep(
                Self.waitSchedule.delay(attempt: attempt, unit: context.random.nextUnit(), remaining: remaining))
            attempt += 1
        }
    }

    // 3. The compare-and-swap: exactly one master's record is created; a loser uses the winner's.
    private func create(_ material: [String: Data], local: [String: ExistingFile], deadline: Double) throws
        -> StepOutcome
    {
        let record = try sealer.seal(
            SharedSecrets(items: material), token: token, clusterName: clusterName, etcdKey: key,
            createdBy: context.node.name, createdAt: MicroTime.format(wallClock.wallNow()))
        let value = record.encoded()
        switch try retrying(until: deadline, { try etcd.createIfAbsent(key, value: value) }) {
        case .created(let revision):
            context.logger.notice(
                "created the secrets record", metadata: ["key": "\(key)", "revision": "\(revision)"])
            let created = EtcdKeyValue(
                key: key, value: value, createRevision: revision, modRevision: revision, version: 1)
            return try apply(created, local: local, created: true)
        case .exists(let winner):
            context.logger.notice("another master created the secrets record first", metadata: ["key": "\(key)"])
            return try apply(winner, local: local, created: false)
        }
    }

    // 4. The record's items into their files: nothing is written when any local file differs, or in a dry run.
    private func apply(_ stored: EtcdKeyValue, local: [String: ExistingFile], created: Bool) throws -> StepOutcome {
        let record = try SecretsRecord.decode(stored.value, key: key)
        let secrets = try sealer.open(record, token: token, clusterName: clusterName, etcdKey: key)
        var conflicts: [SecretsConflict.Difference] = []
        for item in set.items where !(item.isOptional && secrets.items[item.name] == nil) {
            guard let wanted = secrets.items[item.name] else {
                throw SecretsRecordError(
                    code: .unreadablePayload, key: key,
                    detail: "it holds no \(item.name) (made by \(record.createdBy) with another item set)")
            }
            if let file = local[item.name], file.data != wanted {
                conflicts.append(
                    .init(path: item.path, localSHA256: try hexSHA256(file.data), recordSHA256: try hexSHA256(wanted)))
            }
        }
        guard conflicts.isEmpty else {
            throw SecretsConflict(key: key, createdBy: record.createdBy, differences: conflicts)
        }
        // An optional item the creator did not have (a CA key kept offline) is not shared: each master keeps its own.
        let shared = set.items.filter { secrets.items[$0.name] != nil }
        var reports = context.dryRun ? [] : try removeLeftovers(shared)
        for item in shared {
            reports.append(try write(item, value: secrets.items[item.name]!, existing: local[item.name]))
        }
        let names = shared.map(\.name).joined(separator: ", ")
        let message =
            created
            ? "created \(key) in etcd (revision \(stored.modRevision)) from this master's \(names)"
            : "\(context.dryRun ? "dry run: " : "")\(names) as in \(key), made by \(record.createdBy) at \(record.createdAt)"
        return .fromFiles(.clusterSecrets, reports, message: message)
    }

    private func write(_ item: SharedSecretItem, value: Data, existing: ExistingFile?) throws -> FileReport {
        let wrongOwner = context.files.writesAsRoot && existing.map { $0.ownerUID != 0 } == true
        if let existing, existing.mode == item.mode, !wrongOwner {
            return FileReport(path: item.path, action: .unchanged)
        }
        if !context.dryRun {
            // A mode or owner repair keeps the file's bytes (an encryption config may hold more than the shared key).
            let data = try existing == nil ? item.fileContents(for: value) : context.files.readFile(item.path)?.data
            _ = try context.files.ensureDirectory(directory(of: item.path), mode: 0o755)
            try context.files.writeAtomically(item.path, data: data ?? item.fileContents(for: value), mode: item.mode)
        }
        guard let existing else { return FileReport(path: item.path, action: .created, detail: "from the record") }
        let detail =
            existing.mode != item.mode
            ? String(format: "mode %04o -> %04o", existing.mode, item.mode) : "owner -> root"
        return FileReport(path: item.path, action: .updated, detail: detail)
    }

    // Temp files of a run killed while writing an item; only our items' own, so nothing else in pki.dir is touched.
    private func removeLeftovers(_ items: [SharedSecretItem]) throws -> [FileReport] {
        var reports: [FileReport] = []
        for item in items {
            let directory = directory(of: item.path)
            let name = String(item.path[item.path.index(after: item.path.lastIndex(of: "/")!)...])
            let ownPrefix = "\(TemporaryFileName.prefix)\(name)."
            for entry in try context.files.listDirectory(directory) ?? []
            where entry.hasPrefix(ownPrefix) && TemporaryFileName.isTemporary(entry) {
                let path = directory == "/" ? "/\(entry)" : "\(directory)/\(entry)"
                if try context.files.removeFile(path) {
                    reports.append(FileReport(path: path, action: .removed, detail: "left by a run that was killed"))
                }
            }
        }
        return reports
    }

    /// This master's items by name, each holding the item's value (`SharedSecretItem.value(inFile:)`), with the
    /// file's mode and owner.
    private func localFiles() throws -> [String: ExistingFile] {
        var files: [String: ExistingFile] = [:]
        for item in set.items {
            guard let file = try context.files.readFile(item.path) else { continue }
            files[item.name] = ExistingFile(
                data: try item.value(inFile: file.data), mode: file.mode, ownerUID: file.ownerUID)
        }
        return files
    }

    private func describe(material: [String: Data], local: [String: ExistingFile]) -> String {
        let made = set.items.filter { local[$0.name] == nil && material[$0.name] != nil }.map(\.name)
        return made.isEmpty ? "its files" : "its files, making \(made.joined(separator: ", "))"
    }

    private func hexSHA256(_ data: Data) throws -> String {
        PEMDocument.lowerHex(try sealer.cipher.sha256(data))
    }

    private func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    private func retrying<T>(until deadline: Double, _ body: () throws -> T) throws -> T {
        try etcd.retrying(
            until: deadline, clock: context.clock, random: context.random,
            onRetry: { error, wait in
                context.logger.notice(
                    "etcd unavailable, retrying",
                    metadata: ["endpoint": "\(error.endpoint)", "cause": "\(error.cause)", "wait": "\(wait)"])
            }, body)
    }
}

/// Local files differ from the cluster's record: the step stops and writes nothing.
package struct SecretsConflict: Error, Equatable, CustomStringConvertible {
    /// One file whose bytes are not the record's.
    package struct Difference: Equatable, Sendable {
        package let path: String
        package let localSHA256: String
        package let recordSHA256: String
    }

    package let key: String
    package let createdBy: String
    package let differences: [Difference]

    package var description: String {
        let lines = differences.map {
            "  \($0.path): this master sha256:\($0.localSHA256), record sha256:\($0.recordSHA256)"
        }
        return "could not take the cluster's secrets from \(key) (made by \(createdBy)): "
            + "\(differences.count == 1 ? "a local file differs" : "\(differences.count) local files differ") "
            + "from the record, and a key is never overwritten silently; nothing was written:\n"
            + lines.joined(separator: "\n")
            + "\nIf this master's files are stale, move them away and run bootstrap again; if the record is wrong, "
            + "fix the cluster first (every master must hold the same files)."
    }
}

/// The store stayed empty and this master could not fill it.
package struct NoSecretsRecord: Error, Equatable, CustomStringConvertible {
    package let key: String
    package let waited: ConfigDuration
    package var description: String {
        "could not get the cluster's secrets: \(key) is still empty in etcd after \(waited) (secrets.waitTimeout), "
            + "and this master has neither the shared files nor a CA key to make them. Bootstrap a master that has "
            + "pki.caCert and pki.caKey (or --ca-cert/--ca-key), or copy the shared files into pki.dir here."
    }
}
