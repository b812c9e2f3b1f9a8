/// The election's timings, validated together at construction as client-go's `NewLeaderElector` does.
package struct LeaseTimings: Equatable, Sendable {
    /// How long a holder that stops renewing keeps the lock, in whole seconds (the record's unit).
    package let leaseDurationSeconds: Int
    /// How often the leader renews.
    package let renewInterval: Double

    /// Validates `leaseDuration` and `renewInterval` (seconds); throws `LeaseTimingsError` naming both values
    /// when the lease is under 1 s or not a whole number of seconds, or the renew interval is not shorter than it.
    /// The config's `election.leaseDuration` and `election.renewInterval`.
    package init(_ election: ClusterConfig.Election) throws {
        try self.init(leaseDuration: election.leaseDuration.seconds, renewInterval: election.renewInterval.seconds)
    }

    package init(leaseDuration: Double, renewInterval: Double) throws {
        guard leaseDuration >= 1, leaseDuration == leaseDuration.rounded() else {
            throw LeaseTimingsError(.leaseDuration, leaseDuration: leaseDuration, renewInterval: renewInterval)
        }
        guard renewInterval > 0 else {
            throw LeaseTimingsError(
                .renewIntervalNotPositive, leaseDuration: leaseDuration, renewInterval: renewInterval)
        }
        guard renewInterval < leaseDuration else {
            throw LeaseTimingsError(
                .renewIntervalNotShorter, leaseDuration: leaseDuration, renewInterval: renewInterval)
        }
        leaseDurationSeconds = Int(leaseDuration)
        self.renewInterval = renewInterval
    }

    /// The lease duration in seconds.
    package var leaseDuration: Double { Double(leaseDurationSeconds) }

    /// How often a follower looks at the lock and the namespace: often enough that a lapsed lease is
    /// noticed well within one renew interval, but never more often than 10 times a second.
    package var followerPollInterval: Double { max(0.1, min(renewInterval, leaseDuration / 6)) }
}

/// Election timings that cannot work together.
package struct LeaseTimingsError: Error, CustomStringConvertible, Equatable {
    /// Which rule is broken; tests compare this.
    package enum Code: Equatable {
        /// The lease is shorter than 1 s or has a fraction (records hold whole seconds).
        case leaseDuration
        /// The renew interval is zero or negative.
        case renewIntervalNotPositive
        /// The renew interval is not shorter than the lease: the lease would lapse between renewals.
        case renewIntervalNotShorter
    }

    /// Which rule is broken.
    package let code: Code
    /// The lease duration given, seconds.
    package let leaseDuration: Double
    /// The renew interval given, seconds.
    package let renewInterval: Double

    /// Builds the error.
    package init(_ code: Code, leaseDuration: Double, renewInterval: Double) {
        self.code = code
        self.leaseDuration = leaseDuration
        self.renewInterval = renewInterval
    }

    /// Names both values, e.g. "election.renewInterval (15s) must be shorter than election.leaseDuration (15s)".
    package var description: String {
        let lease = "election.leaseDuration (\(LeaseTimingsError.text(leaseDuration)))"
        let renew = "election.renewInterval (\(LeaseTimingsError.text(renewInterval)))"
        let rule: String
        switch code {
        case .leaseDuration: rule = "\(lease) must be a whole number of seconds, at least 1s, with \(renew)"
        case .renewIntervalNotPositive: rule = "\(renew) must be greater than zero, with \(lease)"
        case .renewIntervalNotShorter: rule = "\(renew) must be shorter than \(lease)"
        }
        return "could not use the election timings: \(rule). Fix the election section of the config."
    }

    private static func text(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
