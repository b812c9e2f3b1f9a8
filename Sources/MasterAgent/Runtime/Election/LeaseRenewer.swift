import FoundationEssentials

/// Runs `LeaderElector.renewWhileLeading` on its own thread while the step's thread does the leader's
/// work (which may block in a request for longer than a renew interval).
final class LeaseRenewer {
    private let elector: LeaderElector
    private let flag = Lock()
    private var stopRequested = false
    private var thread: BackgroundThread?

    /// Starts renewing at once on a new thread.
    init(elector: LeaderElector) {
        self.elector = elector
        let flag = flag
        thread = BackgroundThread { [unowned self] in
            elector.renewWhileLeading(shouldStop: { flag.withLock { self.stopRequested } })
        }
    }

    /// Stops renewing and waits for the thread to end (at most one in-flight request plus 50 ms).
    func stop() {
        guard let thread else { return }
        flag.withLock { stopRequested = true }
        thread.join()
        self.thread = nil
    }
}
