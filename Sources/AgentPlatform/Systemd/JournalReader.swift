import AgentCore
import AgentRuntime
import CSystemd
import FoundationEssentials
import Glibc

/// Owner of one `sd_journal*`: reads the last log lines of a unit from the local journal or from
/// the journal of another OS tree (a container's `/proc/<pid1>/root`).
package final class JournalReader {
    /// The owned journal; closed in deinit.
    package let handle: OpaquePointer
    /// Where the journal comes from, for error messages.
    package let source: String

    /// Opens the local journal (`root` nil) or the journal under an OS tree (`root`/var/log/journal
    /// and `root`/run/log/journal); throws `SystemdError` `.journalFailed` or `.permissionDenied`;
    /// sd_journal_open / sd_journal_open_directory with SD_JOURNAL_OS_ROOT.
    package init(root: String? = nil) throws {
        var journal: OpaquePointer?
        let source = root.map { "the journal under \($0)" } ?? "the local journal"
        let r: Int32
        if let root {
            r = sd_journal_open_directory(&journal, root, Int32(SD_JOURNAL_OS_ROOT))
        } else {
            r = sd_journal_open(&journal, Int32(SD_JOURNAL_LOCAL_ONLY))
        }
        try SystemdError.check(r, "open", source, otherwise: .journalFailed)
        guard let journal else {
            throw SystemdError(code: .journalFailed, action: "open", object: source, cause: "no journal was returned")
        }
        self.handle = journal
        self.source = source
        // An inotify watch lets sd_journal_process pick up journal files created after opening.
        _ = sd_journal_get_fd(journal)
    }

    deinit {
        sd_journal_close(handle)
    }

    /// The last `count` messages of `unit`, oldest first: its own output (_SYSTEMD_UNIT=) and what
    /// systemd logged about it (_PID=1 + UNIT=), as `journalctl -u` shows; throws `SystemdError`;
    /// sd_journal_add_match, sd_journal_seek_tail, sd_journal_previous, sd_journal_get_data.
    package func lastLines(unit: String, count: Int) throws -> [String] {
        _ = sd_journal_process(handle)
        sd_journal_flush_matches(handle)
        try addMatch("_SYSTEMD_UNIT=\(unit)")
        try SystemdError.check(sd_journal_add_disjunction(handle), "filter", source, otherwise: .journalFailed)
        try addMatch("_PID=1")
        try addMatch("UNIT=\(unit)")
        try SystemdError.check(sd_journal_seek_tail(handle), "read", source, otherwise: .journalFailed)
        var lines: [String] = []
        while lines.count < count {
            let r = try SystemdError.check(sd_journal_previous(handle), "read", source, otherwise: .journalFailed)
            if r == 0 { break }
            if let message = try field("MESSAGE") { lines.append(message) }
        }
        return lines.reversed()
    }

    private func addMatch(_ match: String) throws {
        let r = match.withCString { sd_journal_add_match(handle, $0, 0) }
        try SystemdError.check(r, "filter \(source) by", match, otherwise: .journalFailed)
    }

    // sd_journal_get_data answers "FIELD=value" without a terminating NUL.
    private func field(_ name: String) throws -> String? {
        var data: UnsafeRawPointer?
        var length = 0
        let r = sd_journal_get_data(handle, name, &data, &length)
        if r == -ENOENT { return nil }
        try SystemdError.check(r, "read \(name) from", source, otherwise: .journalFailed)
        guard let data else { return nil }
        let bytes = UnsafeRawBufferPointer(start: data, count: length).dropFirst(name.utf8.count + 1)
        return String(decoding: bytes, as: UTF8.self)
    }
}
