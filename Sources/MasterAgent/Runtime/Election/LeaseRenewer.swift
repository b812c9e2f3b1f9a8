import Foundation

/// Runs `LeaderElector.renewWhileLeading` on its own thread while the step's thread does the leader's
/// work (which may block in a request for longer than a renew interval).
final class LeaseRenewer {
    private let elector: LeaderElector
    private let flag = NSLock()
    private var stopRequested = false
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    /// Starts renewing at once on a new thread.
    init(elector: LeaderElector) {
        self.elector = elector
        let thread = Thread { [self] in
            elector.renewWhileLeading(shouldStop: { self.flag.withLock { self.stopRequested } })
            finished.signal()
        }
        thread.name = "master-agent lease renewer"
        self.thread = thread
        thread.start()
    }

    /// Stops renewing and waits for the thread to end (at most one in-flight request plus 50 ms).
    func stop() {
        guard thread != nil else { return }
        flag.withLock { stopRequested = true }
        finished.wait()
        thread = nil
    }
}
