import AgentCore
import AgentPlatform
import AgentRuntime
import Foundation
import Glibc

/// Shows a wait's progress to a person: on a terminal one live line rewritten in place (elapsed,
/// stage, last reason); otherwise one line per change of stage or reason, so logs stay short.
final class WaitProgressPrinter {
    private let live: Bool
    private let enabled: Bool
    private var last: (APIWaitStage, String?)?
    private var liveWidth = 0

    /// `enabled` false prints nothing (JSON output); `live` rewrites one line (a TTY).
    init(enabled: Bool, live: Bool) {
        self.enabled = enabled
        self.live = live
    }

    /// Takes one progress report.
    func show(_ progress: APIWaitProgress) {
        guard enabled else { return }
        let reason = progress.reason ?? ""
        let text =
            APIWaitSummary.seconds(progress.elapsed).padding(toLength: 8, withPad: " ", startingAt: 0) + " "
            + progress.stage.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0) + " " + reason
        if live {
            // Clip to one terminal line so \r keeps rewriting the same line.
            let line = String(text.prefix(Self.columns() - 1))
            let pad = max(0, liveWidth - line.count)
            print("\r" + line + String(repeating: " ", count: pad), terminator: "")
            fflush(stdout)
            liveWidth = line.count
            return
        }
        guard last.map({ $0.0 != progress.stage || $0.1 != progress.reason }) ?? true else { return }
        last = (progress.stage, progress.reason)
        print(text)
        fflush(stdout)
    }

    /// Ends the live line so later output starts on a fresh line.
    func finish() {
        guard enabled, live, liveWidth > 0 else { return }
        print()
        fflush(stdout)
        liveWidth = 0
    }

    private static func columns() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 100
    }
}
