/// Runs `LeaderElector.renewWhileLeading` on its own thread while the step's thread does the leader's
/// work (which may block in a request for longer than a renew interval).
final class LeaseRenewer {
    // Shared with the thread, which must not reach back into a renewer that may already be gone.
    private final class StopRequest {
        private let lock = Lock()
        private var requested = false
        var isRequested: Bool { lock.withLock { requested } }
        func request() { lock.withLock { requested = true } }
    }

    private let stopRequest = StopRequest()
    private var thread: BackgroundThread?

    /// Starts renewing at once on a new thread; throws `ThreadStartError` when there is none to start.
    init(elector: LeaderElector) throws {
        let stopRequest = stopRequest
        thread = try BackgroundThread(purpose: "lease renewal") {
            elector.renewWhileLeading(shouldStop: { stopRequest.isRequested })
        }
    }

    /// Stops renewing and waits for the thread to end (at most one in-flight request plus 50 ms).
    func stop() {
        guard let thread else { return }
        stopRequest.request()
        thread.join()
        self.thread = nil
    }
}
