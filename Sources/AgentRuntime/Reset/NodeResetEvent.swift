import AgentCore

/// One change `NodeReset` made to the kubelet unit, reported as it happens.
package enum NodeResetEvent: Equatable {
    /// The kubelet was running and is stopped now (the unit name).
    case stopped(String)
    /// An install symlink is gone: removed by systemd's DisableUnitFiles or, offline, by reset itself.
    case removed(String)
}
