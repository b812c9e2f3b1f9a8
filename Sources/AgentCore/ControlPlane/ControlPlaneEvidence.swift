/// What the agent saw when the wait for the control plane ran out: the kubelet unit, its last log lines, and per
/// component the last answer, the process holding its port and the names its certificate serves. Collected by the
/// runtime, judged by `StallDiagnosis`.
package struct ControlPlaneEvidence: Equatable, Sendable {
    /// The kubelet unit as systemd reports it; nil when systemd could not be asked.
    package var kubelet: KubeletEvidence?
    /// One entry per target, healthy ones included.
    package var components: [ComponentEvidence]
    /// The API server's `/readyz?verbose` body, when it answered one.
    package var readyzVerbose: String?

    package init(kubelet: KubeletEvidence?, components: [ComponentEvidence], readyzVerbose: String? = nil) {
        self.kubelet = kubelet
        self.components = components
        self.readyzVerbose = readyzVerbose
    }
}

/// The kubelet unit's state (Unit.ActiveState, SubState, Service.Result, NRestarts) and its last journal lines.
package struct KubeletEvidence: Equatable, Sendable {
    package var unit: String
    package var activeState: String
    package var subState: String
    package var result: String?
    /// Automatic restarts systemd made since the unit was last started by hand.
    package var restarts: UInt32
    /// Oldest first.
    package var journal: [String]

    package init(
        unit: String, activeState: String, subState: String, result: String?, restarts: UInt32, journal: [String]
    ) {
        self.unit = unit
        self.activeState = activeState
        self.subState = subState
        self.result = result
        self.restarts = restarts
        self.journal = journal
    }
}

/// What one component's last attempt saw.
package struct ComponentEvidence: Equatable, Sendable {
    package var target: HealthTarget
    package var healthy: Bool
    /// The URL of the last attempt.
    package var url: String
    /// The HTTP status of the last answer, nil when there was none.
    package var status: Int?
    /// The last answer's body (clipped), or the transport failure's cause.
    package var detail: String
    /// Set when the last attempt got no HTTP answer.
    package var failure: FailureKind?
    /// The process listening on the target's port, when one does.
    package var listener: PortListener?
    /// DNS and IP subjectAltNames of the certificate served on the port (`DNS:x`, `IP:x`), when read.
    package var servedNames: [String]?

    /// Why an attempt got no HTTP answer.
    package enum FailureKind: String, Equatable, Sendable {
        case refused, timeout, tls, reset, other
    }

    package init(
        target: HealthTarget, healthy: Bool, url: String, status: Int?, detail: String, failure: FailureKind?,
        listener: PortListener? = nil, servedNames: [String]? = nil
    ) {
        self.target = target
        self.healthy = healthy
        self.url = url
        self.status = status
        self.detail = detail
        self.failure = failure
        self.listener = listener
        self.servedNames = servedNames
    }
}

/// A process with a listening TCP socket (from /proc/net/tcp and /proc/PID/fd).
package struct PortListener: Codable, Equatable, Sendable {
    package var port: Int
    /// Nil when the socket's owner could not be found (another PID namespace, no permission).
    package var pid: Int?
    /// argv[0]'s last component, e.g. `kube-scheduler` or `python3`.
    package var program: String?
    /// The command line, clipped, for messages.
    package var commandLine: String?

    package init(port: Int, pid: Int?, program: String?, commandLine: String?) {
        self.port = port
        self.pid = pid
        self.program = program
        self.commandLine = commandLine
    }
}
