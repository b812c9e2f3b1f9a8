import AgentCore
import Foundation
import Logging

/// Writes the agent's metrics into `metrics.textfileDir` for node_exporter's textfile collector: the whole file
/// through `FileStore.writeAtomically` (a `.master-agent.*.tmp` file in the same directory, then rename), so the
/// collector, which reads only `*.prom`, never sees half a file. Does nothing when the config names no directory.
package struct TextfileMetricsWriter {
    package let directory: String?
    package let files: FileStore
    package let logger: Logger

    package init(config: ClusterConfig, files: FileStore, logger: Logger) {
        self.directory = config.metrics.textfileDir
        self.files = files
        self.logger = logger
    }

    /// Replaces `fileName` in the directory with `families`; a failure is logged, never thrown: metrics must not
    /// fail the renewal or bootstrap they describe. Returns the path written, or nil.
    @discardableResult
    package func write(_ families: [MetricFamily], to fileName: String) -> String? {
        guard let directory else { return nil }
        let path = directory.hasSuffix("/") ? directory + fileName : "\(directory)/\(fileName)"
        do {
            guard try files.attributes(directory)?.isDirectory == true else {
                logger.warning(
                    "metrics not written: metrics.textfileDir is not a directory; create it (node_exporter's --collector.textfile.directory) or remove the field",
                    metadata: ["directory": "\(directory)"])
                return nil
            }
            try files.writeAtomically(path, data: Data(PrometheusText.render(families).utf8), mode: 0o644)
            return path
        } catch {
            logger.warning(
                "metrics not written", metadata: ["file": "\(path)", "error": "\(error)"])
            return nil
        }
    }
}

extension CertificateChecker.Report {
    /// Every certificate row with a known end of validity, named after its file (`apiserver.crt` is `apiserver`,
    /// a kubeconfig keeps its name: `admin.conf`).
    package var expiries: [AgentMetrics.CertificateExpiry] {
        rows.compactMap { row in
            guard let notAfter = row.notAfter else { return nil }
            let base = (row.file as NSString).lastPathComponent
            let name = base.hasSuffix(".crt") ? String(base.dropLast(4)) : base
            return AgentMetrics.CertificateExpiry(name: name, file: row.file, notAfter: notAfter)
        }
    }
}
