import Glibc

/// A thread that could not be started, with pthread_create's error.
struct ThreadStartError: Error, CustomStringConvertible, Equatable {
    /// What the thread was for, e.g. "lease renewal".
    let purpose: String
    /// pthread_create's return value (EAGAIN: out of threads or memory).
    let errno: Int32

    var description: String {
        "could not start the \(purpose) thread: \(String(cString: strerror(errno))). The system is out of threads or memory; free some and run again."
    }
}

/// One joinable pthread running a closure (Foundation's Thread lives in full Foundation).
final class BackgroundThread {
    private var thread: pthread_t?

    /// Starts `body` on a new thread; throws `ThreadStartError` (naming `purpose`) when pthread_create
    /// fails, so a caller never believes work runs that does not.
    init(purpose: String, _ body: @escaping () -> Void) throws {
        let box = Unmanaged.passRetained(Box(body))
        var created = pthread_t()
        let status = pthread_create(&created, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box.toOpaque())
        guard status == 0 else {
            box.release()
            throw ThreadStartError(purpose: purpose, errno: status)
        }
        thread = created
    }

    /// Waits for the closure to return (pthread_join); returns at once after the first call.
    func join() {
        guard let thread else { return }
        pthread_join(thread, nil)
        self.thread = nil
    }

    deinit {
        if let thread { pthread_detach(thread) }
    }

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}
