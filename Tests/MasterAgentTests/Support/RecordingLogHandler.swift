import Logging
import Synchronization

/// Keeps every message logged, as `<level> <message> <key=value ...>`, for counting and reading back.
final class RecordedLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    /// A logger that records into this log.
    func logger(label: String = "t") -> Logger {
        Logger(label: label, factory: { _ in RecordingLogHandler(log: self) })
    }
}

/// A swift-log handler writing into a `RecordedLog`.
struct RecordingLogHandler: LogHandler {
    let log: RecordedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        log.append("\(event.level) \(event.message) \(fields.joined(separator: " "))")
    }
}
