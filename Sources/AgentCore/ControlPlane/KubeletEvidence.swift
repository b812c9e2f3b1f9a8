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
