import AgentCore
import FoundationEssentials

/// Checks the TLS material in `pki.dir`: key matches certificate, chain verifies to ca.crt, every
/// derived name present, validity window, file modes and owner. Used by the certs step and `certs check`.
package struct CertificateChecker {
    package let files: FileStore
    package let pki: PKIToolkit
    package let config: ClusterConfig
    package let now: Date
    /// Owner checks apply only when the files are written as root (a non-root test run cannot own files as root).
    package var checkOwner: Bool

    /// A checker of the files in `files`; owners are checked when `checkOwner` says so, by default when the store writes as root.
    package init(files: FileStore, pki: PKIToolkit, config: ClusterConfig, now: Date, checkOwner: Bool? = nil) {
        self.files = files
        self.pki = pki
        self.config = config
        self.now = now
        self.checkOwner = checkOwner ?? files.writesAsRoot
    }

    /// One row of the `certs check` table.
    package struct Row: Codable, Equatable {
        package let file: String
        package let subject: String
        package let sansOK: Bool?
        /// Names the config gives that the certificate lacks (`DNS:x`, `IP:x`); nil when none.
        package let sansMissing: [String]?
        /// Names the certificate carries that the config no longer gives; nil when none.
        package let sansExtra: [String]?
        package let expiresInDays: Int?
        /// The certificate's end of validity (ISO 8601 in JSON); nil for keys and unreadable files.
        package let notAfter: Date?
        package let status: String

        package init(
            file: String, subject: String, sansOK: Bool?, sansDrift: SANDrift? = nil, expiresInDays: Int?,
            notAfter: Date? = nil, status: String
        ) {
            self.file = file
            self.subject = subject
            self.sansOK = sansOK
            self.sansMissing = Self.names(sansDrift?.added)
            self.sansExtra = Self.names(sansDrift?.removed)
            self.expiresInDays = expiresInDays
            self.notAfter = notAfter
            self.status = status
        }

        private static func names(_ names: [SubjectAltName]?) -> [String]? {
            guard let names, !names.isEmpty else { return nil }
            return names.map(\.description)
        }

        private enum CodingKeys: String, CodingKey {
            case file, subject, sansOK, sansMissing, sansExtra, expiresInDays, notAfter, status
        }

        package init(from decoder: Decoder) throws {
            let values = try decoder.container(keyedBy: CodingKeys.self)
            file = try values.decode(String.self, forKey: .file)
            subject = try values.decode(String.self, forKey: .subject)
            sansOK = try values.decodeIfPresent(Bool.self, forKey: .sansOK)
            sansMissing = try values.decodeIfPresent([String].self, forKey: .sansMissing)
            sansExtra = try values.decodeIfPresent([String].self, forKey: .sansExtra)
            expiresInDays = try values.decodeIfPresent(Int.self, forKey: .expiresInDays)
            notAfter = try values.decodeIfPresent(String.self, forKey: .notAfter).map {
                try Date.ISO8601FormatStyle().parse($0)
            }
            status = try values.decode(String.self, forKey: .status)
        }

        // Dates as ISO 8601 text whatever the encoder's strategy (`--output json` uses the default one).
        package func encode(to encoder: Encoder) throws {
            var values = encoder.container(keyedBy: CodingKeys.self)
            try values.encode(file, forKey: .file)
            try values.encode(subject, forKey: .subject)
            try values.encodeIfPresent(sansOK, forKey: .sansOK)
            try values.encodeIfPresent(sansMissing, forKey: .sansMissing)
            try values.encodeIfPresent(sansExtra, forKey: .sansExtra)
            try values.encodeIfPresent(expiresInDays, forKey: .expiresInDays)
            try values.encodeIfPresent(notAfter?.formatted(.iso8601), forKey: .notAfter)
            try values.encode(status, forKey: .status)
        }
    }

    /// Everything found: table rows, findings, and the days left on apiserver.crt.
    package struct Report: Codable {
        package var rows: [Row] = []
        package var findings: [CertificateFinding] = []
        package var daysLeft: Int?
        package var hasErrors: Bool { findings.contains { $0.severity == .error } }
    }

    package func check() throws -> Report {
        let paths = PKIPaths(config)
        var report = Report()
        var keyDER: Data?

        func status(_ file: String) -> String {
            let mine = report.findings.filter { $0.file == file }
            return mine.contains { $0.severity == .error } ? "error" : (mine.isEmpty ? "ok" : "warning")
        }

        // The key.
        if let key = try files.readFile(paths.key) {
            report.findings += CertificateEvaluation.permissions(
                file: paths.key, mode: key.mode, ownerUID: key.ownerUID, isKey: true, checkOwner: checkOwner)
            do { keyDER = try pki.publicKey(ofKey: key.data) } catch {
                report.findings.append(.init(severity: .error, code: .unreadable, file: paths.key, message: "\(error)"))
            }
        } else {
            report.findings.append(
                .init(
                    severity: .error, code: .missingFile, file: paths.key,
                    message:
                        "\(paths.key) is missing. Run `master-agent bootstrap --steps certs`, or copy it from the first master (every master needs the same key)."
                ))
        }
        report.rows.append(
            Row(file: paths.key, subject: "-", sansOK: nil, expiresInDays: nil, status: status(paths.key)))

        // The CA.
        let ca = try files.readFile(paths.ca)
        if let ca {
            report.findings += CertificateEvaluation.permissions(
                file: paths.ca, mode: ca.mode, ownerUID: ca.ownerUID, isKey: false, checkOwner: false)
            let facts = try? pki.inspect(certificatesPEM: ca.data, source: paths.ca).first
            if let facts, now > facts.notAfter {
                report.findings.append(
                    .init(
                        severity: .error, code: .expired, file: paths.ca,
                        message: "\(paths.ca) (the CA) has expired; the whole cluster needs a new CA."))
            }
            report.rows.append(
                Row(
                    file: paths.ca, subject: facts?.subject ?? "unreadable", sansOK: nil,
                    expiresInDays: facts.map { CertificateEvaluation.daysLeft($0, now) }, notAfter: facts?.notAfter,
                    status: status(paths.ca)))
        } else {
            report.findings.append(
                .init(
                    severity: .error, code: .missingFile, file: paths.ca,
                    message: "\(paths.ca) is missing: copy the root CA certificate there."))
            report.rows.append(
                Row(file: paths.ca, subject: "-", sansOK: nil, expiresInDays: nil, status: status(paths.ca)))
        }

        // The certificate.
        guard let certificate = try files.readFile(paths.certificate) else {
            report.findings.append(
                .init(
                    severity: .error, code: .missingFile, file: paths.certificate,
                    message: "\(paths.certificate) is missing. Run `master-agent bootstrap --steps certs`."))
            report.rows.append(
                Row(
                    file: paths.certificate, subject: "-", sansOK: nil, expiresInDays: nil,
                    status: status(paths.certificate)))
            return report
        }
        report.findings += CertificateEvaluation.permissions(
            file: paths.certificate, mode: certificate.mode, ownerUID: certificate.ownerUID, isKey: false,
            checkOwner: false)
        let leaf: CertificateFacts
        do {
            guard let first = try pki.inspect(certificatesPEM: certificate.data, source: paths.certificate).first else {
                throw UsageError("no certificate in the file")
            }
            leaf = first
        } catch {
            report.findings.append(
                .init(
                    severity: .error, code: .unreadable, file: paths.certificate,
                    message: "could not read \(paths.certificate): \(error)"))
            report.rows.append(
                Row(
                    file: paths.certificate, subject: "unreadable", sansOK: nil, expiresInDays: nil,
                    status: status(paths.certificate)))
            return report
        }
        let required = APIServerSANs.required(config)
        report.findings += CertificateEvaluation.evaluate(
            leaf: leaf, file: paths.certificate, keyPublicDER: keyDER, requiredSANs: required,
            now: now, warningDays: config.pki.expiryWarningDays)
        if let ca {
            do { try pki.verify(chainPEM: certificate.data, trustedPEM: ca.data, at: now) } catch {
                // Expiry is already reported in the operator's words; don't repeat it as a chain error.
                let validityKnown = report.findings.contains {
                    $0.file == paths.certificate && ($0.code == .expired || $0.code == .notYetValid)
                }
                if !validityKnown {
                    report.findings.append(
                        .init(
                            severity: .error, code: .chainInvalid, file: paths.certificate,
                            message: "\(paths.certificate) does not verify against \(paths.ca): \(error)"))
                }
            }
        }
        report.daysLeft = CertificateEvaluation.daysLeft(leaf, now)
        report.rows.append(
            Row(
                file: paths.certificate, subject: leaf.subject,
                sansOK: required.allSatisfy(leaf.subjectAltNames.contains),
                sansDrift: SANDrift(expected: required, actual: leaf.subjectAltNames), expiresInDays: report.daysLeft,
                notAfter: leaf.notAfter, status: status(paths.certificate)))
        return report
    }
}
