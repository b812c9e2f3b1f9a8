import FoundationEssentials
import Glibc
import Logging

/// swift-log for a service whose stderr is the journal: systemd sets `JOURNAL_STREAM` to that stream's device and
/// inode, and journald reads a leading `<N>` on each line as its syslog priority (sd-daemon(3)). So an unhealthy
/// component logged at error is filed at priority 3 (`journalctl -p err` finds it) instead of everything at info.
/// Journald adds the time, so the line carries none.
struct JournalLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    let label: String

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// True when stderr is the stream `JOURNAL_STREAM` names (not merely inherited by a child that redirected it).
    static var stderrIsJournal: Bool {
        guard let value = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        var info = stat()
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]),
            fstat(STDERR_FILENO, &info) == 0
        else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// The sd-daemon(3) prefix for `level` (SD_DEBUG 7 ... SD_CRIT 2).
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// The line for one event, without its newline.
    static func line(level: Logger.Level, label: String, message: Logger.Message, metadata: Logger.Metadata) -> String {
        let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "<\(priority(level))>\(label): \(level): \(message)\(fields.isEmpty ? "" : " \(fields)")"
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        // One write per line: a multi-line message would lose its priority after the first line.
        let text =
            Self.line(level: event.level, label: label, message: event.message, metadata: merged)
            .replacing("\n", with: " ") + "\n"
        _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }
}
