import Foundation

/// The metrics master-agent leaves for node_exporter's textfile collector (`metrics.textfileDir`), one file per
/// writer so that `certs check` never overwrites what `certs renew --due` or `bootstrap` last said.
package enum AgentMetrics {
    package static let certificatesFile = "master-agent-certificates.prom"
    package static let renewalFile = "master-agent-renewal.prom"
    package static let bootstrapFile = "master-agent-bootstrap.prom"

    /// One certificate's end of validity; `name` is the tree entry (`apiserver`, `admin.conf`), `file` where it lives.
    package struct CertificateExpiry: Equatable, Sendable {
        package let name: String
        package let file: String
        package let notAfter: Date

        package init(name: String, file: String, notAfter: Date) {
            self.name = name
            self.file = file
            self.notAfter = notAfter
        }
    }

    /// `master_agent_certificate_expiry_seconds{name,file}`: seconds from `now` to each certificate's notAfter
    /// (negative once expired), sorted by file so the same tree gives the same text.
    package static func certificates(_ expiries: [CertificateExpiry], now: Date) -> [MetricFamily] {
        let samples = expiries.sorted { ($0.file, $0.name) < ($1.file, $1.name) }.map { expiry in
            MetricFamily.Sample(
                [("name", expiry.name), ("file", expiry.file)],
                value: expiry.notAfter.timeIntervalSince(now).rounded(.down))
        }
        return [
            MetricFamily(
                name: "master_agent_certificate_expiry_seconds",
                help:
                    "Seconds until the certificate expires (negative when it has); written by certs check and certs renew.",
                samples: samples)
        ]
    }

    /// The last `certs renew --due`: whether it succeeded (1) or failed (0, also when it could not run at all) and
    /// when it ended (Unix seconds).
    package static func renewal(succeeded: Bool, finishedAt: Date) -> [MetricFamily] {
        [
            MetricFamily(
                name: "master_agent_certificate_renewal_success",
                help: "1 when the last certs renew --due succeeded, 0 when it failed.",
                samples: [.init(value: succeeded ? 1 : 0)]),
            MetricFamily(
                name: "master_agent_certificate_renewal_timestamp_seconds",
                help: "When the last certs renew --due ended, in Unix seconds.",
                samples: [.init(value: finishedAt.timeIntervalSince1970.rounded(.down))]),
        ]
    }

    /// One bootstrap step as it ran: its name, how it ended (`done`, `failed`, ...) and how long it took.
    package struct StepDuration: Equatable, Sendable {
        package let step: String
        package let status: String
        package let seconds: Double

        package init(step: String, status: String, seconds: Double) {
            self.step = step
            self.status = status
            self.seconds = seconds
        }
    }

    /// The last bootstrap: each step's duration (labelled with its status), whether the run succeeded and when it
    /// ended.
    package static func bootstrap(_ steps: [StepDuration], succeeded: Bool, finishedAt: Date) -> [MetricFamily] {
        [
            MetricFamily(
                name: "master_agent_bootstrap_step_duration_seconds",
                help: "How long each step of the last bootstrap took, in seconds.",
                samples: steps.map { .init([("step", $0.step), ("status", $0.status)], value: $0.seconds) }),
            MetricFamily(
                name: "master_agent_bootstrap_success",
                help: "1 when the last bootstrap succeeded, 0 when it did not.",
                samples: [.init(value: succeeded ? 1 : 0)]),
            MetricFamily(
                name: "master_agent_bootstrap_timestamp_seconds",
                help: "When the last bootstrap ended, in Unix seconds.",
                samples: [.init(value: finishedAt.timeIntervalSince1970.rounded(.down))]),
        ]
    }
}
