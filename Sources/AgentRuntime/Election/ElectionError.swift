import AgentCore

/// The election or the kube-system step could not finish.
package struct ElectionError: Error, CustomStringConvertible, Equatable {
    /// What went wrong; tests compare this.
    package enum Code: Equatable {
        /// API discovery of coordination.k8s.io/v1 answered neither 200 nor 404.
        case discovery
        /// kube-system did not appear (and the lock did not come free) before the deadline.
        case timedOut
        /// The agent was not set up for an election (no wall clock in the context).
        case notConfigured
    }

    /// What went wrong.
    package let code: Code
    /// What the agent acted on, e.g. `namespace kube-system`.
    package let object: String
    /// Why, e.g. the last error seen.
    package let cause: String

    /// Builds the error.
    package init(_ code: Code, object: String, cause: String) {
        self.code = code
        self.object = object
        self.cause = cause
    }

    /// Reads "could not VERB OBJECT: CAUSE. NEXT STEP".
    package var description: String {
        switch code {
        case .discovery:
            return
                "could not choose the lock kind for \(object): \(cause). Check that apiServer.localURL points at a Kubernetes API server."
        case .timedOut:
            return
                "could not see \(object) appear: \(cause). Check the leader's log (journalctl -u master-agent-bootstrap) and run bootstrap again."
        case .notConfigured:
            return "could not run the election for \(object): \(cause). This is a bug in master-agent's wiring."
        }
    }
}
