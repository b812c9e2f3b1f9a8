import Foundation

/// What the agent needs to know of one certificate, read by the PKI toolkit (no OpenSSL types here).
package struct CertificateFacts: Equatable, Sendable {
    package var subjectCommonName: String?
    package var subject: String
    package var issuer: String
    package var subjectAltNames: [SubjectAltName]
    package var notBefore: Date
    package var notAfter: Date
    package var isCA: Bool
    /// DER SubjectPublicKeyInfo, compared with the key's.
    package var publicKeyDER: Data
    /// The keyUsage bits this agent issues that the certificate has (RFC 5280 order); empty without the extension.
    package var keyUsages: [KeyUsage] = []
    /// The extendedKeyUsage purposes this agent issues that the certificate has.
    package var extendedKeyUsages: [ExtendedKeyUsage] = []

    package init(
        subjectCommonName: String? = nil, subject: String, issuer: String, subjectAltNames: [SubjectAltName],
        notBefore: Date, notAfter: Date, isCA: Bool, publicKeyDER: Data, keyUsages: [KeyUsage] = [],
        extendedKeyUsages: [ExtendedKeyUsage] = []
    ) {
        self.subjectCommonName = subjectCommonName
        self.subject = subject
        self.issuer = issuer
        self.subjectAltNames = subjectAltNames
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.isCA = isCA
        self.publicKeyDER = publicKeyDER
        self.keyUsages = keyUsages
        self.extendedKeyUsages = extendedKeyUsages
    }
}

/// One finding of a certificate check, worded for the operator.
package struct CertificateFinding: Equatable, Codable, Sendable {
    package enum Severity: String, Codable, Sendable { case error, warning }
    package enum Code: String, Codable, Sendable {
        case keyMismatch, chainInvalid, missingSAN, expired, notYetValid, expiresSoon, keyFileMode, keyFileOwner,
            certificateFileMode, missingFile, unreadable, peerKeyDiffers, peerUnreachable, subjectMismatch,
            usageMismatch, serverMismatch, certificatePending, extraSAN
    }

    package let severity: Severity
    package let code: Code
    package let file: String
    package let message: String

    package init(severity: Severity, code: Code, file: String, message: String) {
        self.severity = severity
        self.code = code
        self.file = file
        self.message = message
    }
}

/// Pure checks of the API server certificate against the key, the required names and the time.
package enum CertificateEvaluation {
    /// Findings for a leaf certificate; `keyPublicDER` is the local key's, `now` the wall time to judge validity at.
    package static func evaluate(
        leaf: CertificateFacts, file: String, keyPublicDER: Data?, requiredSANs: [SubjectAltName],
        now: Date, warningDays: Int
    ) -> [CertificateFinding] {
        var findings: [CertificateFinding] = []
        if let keyPublicDER, keyPublicDER != leaf.publicKeyDER {
            findings.append(
                .init(
                    severity: .error, code: .keyMismatch, file: file,
                    message:
                        "\(file) does not belong to apiserver.key (different public key). Renew it with `master-agent certs renew`, or copy the matching key and certificate from the first master."
                ))
        }
        let missing = requiredSANs.filter { !leaf.subjectAltNames.contains($0) }
        if !missing.isEmpty {
            findings.append(
                .init(
                    severity: .error, code: .missingSAN, file: file,
                    message:
                        "\(file) lacks subjectAltNames \(missing.map(\.description).joined(separator: ", ")); clients using those names will reject it. `master-agent certs renew` issues a certificate with every derived name."
                ))
        }
        if now < leaf.notBefore {
            findings.append(
                .init(
                    severity: .error, code: .notYetValid, file: file,
                    message:
                        "\(file) is not valid before \(iso(leaf.notBefore)) (now \(iso(now))). Check this machine's clock, or the CA host's."
                ))
        } else if now > leaf.notAfter {
            findings.append(
                .init(
                    severity: .error, code: .expired, file: file,
                    message: "\(file) expired on \(iso(leaf.notAfter)). Renew it with `master-agent certs renew`."))
        } else if leaf.notAfter.timeIntervalSince(now) < Double(warningDays) * 86400 {
            findings.append(
                .init(
                    severity: .warning, code: .expiresSoon, file: file,
                    message:
                        "\(file) expires in \(daysLeft(leaf, now)) days (\(iso(leaf.notAfter))). Renew it soon with `master-agent certs renew`."
                ))
        }
        return findings
    }

    /// Whole days from `now` until the certificate expires (negative once expired).
    package static func daysLeft(_ leaf: CertificateFacts, _ now: Date) -> Int {
        Int((leaf.notAfter.timeIntervalSince(now) / 86400).rounded(.down))
    }

    /// Findings for file permissions: the key 0600 owned by root, certificates not writable by group/others.
    package static func permissions(file: String, mode: UInt16, ownerUID: UInt32, isKey: Bool, checkOwner: Bool)
        -> [CertificateFinding]
    {
        var findings: [CertificateFinding] = []
        if isKey && mode & 0o077 != 0 {
            findings.append(
                .init(
                    severity: .error, code: .keyFileMode, file: file,
                    message:
                        "\(file) has mode \(String(format: "%04o", mode)); a private key must be 0600 (chmod 600 \(file))"
                ))
        }
        if !isKey && mode & 0o022 != 0 {
            findings.append(
                .init(
                    severity: .error, code: .certificateFileMode, file: file,
                    message:
                        "\(file) has mode \(String(format: "%04o", mode)) and is writable by group or others (chmod 644 \(file))"
                ))
        }
        if checkOwner && ownerUID != 0 {
            findings.append(
                .init(
                    severity: .error, code: .keyFileOwner, file: file,
                    message: "\(file) is owned by uid \(ownerUID), not root (chown root:root \(file))"))
        }
        return findings
    }

    private static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
