import AgentRuntime

extension SystemdError: UnitManagerFailure {
    /// True for `.noSuchUnit` (the D-Bus error org.freedesktop.systemd1.NoSuchUnit).
    package var unitNotFound: Bool { code == .noSuchUnit }
}
