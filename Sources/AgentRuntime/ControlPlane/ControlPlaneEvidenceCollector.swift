import AgentCore
import FoundationEssentials

/// Gathers the evidence `StallDiagnosis` judges once the wait ran out: the kubelet unit (UnitManager) and its
/// journal, who listens on each unhealthy component's port, the names a certificate that failed verification
/// carries, and the API server's `/readyz?verbose`. Each source is optional; a missing one leaves its part empty.
package struct ControlPlaneEvidenceCollector {
    package var units: UnitManager?
    package var journal: UnitJournal?
    package var listeners: PortListenerLookup?
    package var certificates: ServedCertificateProbe?
    /// The API server transport, for `/readyz?verbose`.
    package var localAPI: (() throws -> HTTPTransport)?
    /// Journal lines read (the kubelet logs many lines per second while pods fail).
    package var journalLines = 60

    package init(
        units: UnitManager?, journal: UnitJournal?, listeners: PortListenerLookup?,
        certificates: ServedCertificateProbe?, localAPI: (() throws -> HTTPTransport)?
    ) {
        self.units = units
        self.journal = journal
        self.listeners = listeners
        self.certificates = certificates
        self.localAPI = localAPI
    }

    /// The evidence for `progress` (the waiter's end state); `kubeletUnit` is e.g. `kubelet.service`.
    package func collect(_ progress: [ControlPlaneWaiter.Progress], kubeletUnit: String) -> ControlPlaneEvidence {
        ControlPlaneEvidence(
            kubelet: kubelet(kubeletUnit), components: progress.map(component),
            readyzVerbose: readyzVerbose(progress))
    }

    private func kubelet(_ unit: String) -> KubeletEvidence? {
        guard let units, let status = try? units.status(unit) else { return nil }
        return KubeletEvidence(
            unit: unit, activeState: status.activeState, subState: status.subState, result: status.result,
            restarts: status.nRestarts ?? 0, journal: journal?.lastLines(unit: unit, count: journalLines) ?? [])
    }

    private func component(_ item: ControlPlaneWaiter.Progress) -> ComponentEvidence {
        let last = item.last
        var evidence = ComponentEvidence(
            target: item.target, healthy: item.healthy, url: last?.url ?? item.target.urls.first ?? "",
            status: last?.status, detail: last?.detail ?? "ok", failure: last?.failure)
        guard !item.healthy else { return evidence }
        evidence.listener = listeners?.listener(port: item.target.port)
        if last?.failure == .tls {
            evidence.servedNames = try? certificates?.servedNames(host: item.target.host, port: item.target.port)
        }
        return evidence
    }

    // The failing checks' names are what tell etcd trouble from a server still starting.
    private func readyzVerbose(_ progress: [ControlPlaneWaiter.Progress]) -> String? {
        guard let api = progress.first(where: { $0.target.access == .localAPI && !$0.healthy }),
            api.last?.status == 500, let readyz = api.target.urls.last, let localAPI
        else { return nil }
        let request = HTTPRequest(
            url: readyz + (readyz.contains("?") ? "&" : "?") + "verbose", headers: ["Accept": "text/plain, */*"],
            timeout: .seconds(2), connectTimeout: .seconds(1))
        return (try? localAPI().send(request))?.bodyText
    }
}
