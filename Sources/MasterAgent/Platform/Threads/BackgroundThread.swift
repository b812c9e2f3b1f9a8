import Glibc

/// One joinable pthread running a closure (Foundation's Thread lives in full Foundation).
final class BackgroundThread {
    private var thread: pthread_t?

    /// Starts `body` on a new thread at once; a thread that cannot be created runs nothing and
    /// `join()` returns at once, so callers must not count on it (pthread_create).
    init(_ body: @escaping () -> Void) {
        let box = Unmanaged.passRetained(Box(body))
        var created = pthread_t()
        let status = pthread_create(&created, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box.toOpaque())
        if status == 0 {
            thread = created
        } else {
            box.release()
        }
    }

    /// True when the thread was created.
    var started: Bool { thread != nil }

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
