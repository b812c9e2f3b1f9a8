import Dispatch
import Synchronization

/// Runs `LeaderElector.renewWhileLeading` on its own thread while the step's thread does the leader's
/// work (which may block in a request for longer than a renew interval).
package final class LeaseRenewer {
    // Shared with the thread, which must not reach back into a renewer that may already be gone.
    private final class StopRequest: Sendable {
        private let requested = Mutex(false)
        var isRequested: Bool { requested.withLock { $0 } }
        func request() { requested.withLock { $0 = true } }
    }

    private let stopRequest = StopRequest()
    private var finished: DispatchGroup?

    /// Starts renewing at once on a thread of its own (a Dispatch queue, so the renewals never wait
    /// behind other work).
    package init(elector: LeaderElector) {
        let stopRequest = stopRequest
        let finished = DispatchGroup()
        DispatchQueue(label: "lease renewal").async(group: finished) {
            elector.renewWhileLeading(shouldStop: { stopRequest.isRequested })
        }
        self.finished = finished
    }

    /// Stops renewing and waits for the thread to end (at most one in-flight request plus 50 ms).
    package func stop() {
        guard let finished else { return }
        stopRequest.request()
        finished.wait()
        self.finished = nil
    }
}
