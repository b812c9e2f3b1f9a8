import AgentCore

/// The one-line human summary of a finished wait, shared by the step and the command.
package enum APIWaitSummary {
    /// "https://127.0.0.1:6443 answered ok on /readyz after 3.21s (refused 2.10s, starting 1.11s; 7 HTTP requests, 42 TCP probes)".
    package static func line(_ result: APIWaitResult) -> String {
        "\(result.url) answered ok on \(result.healthPath) after \(seconds(result.secondsTotal)) "
            + "(refused \(seconds(result.secondsRefused)), starting \(seconds(result.secondsUnready)); "
            + "\(result.httpRequests) HTTP requests, \(result.tcpProbes) TCP probes)"
    }

    /// Seconds with two decimals and a unit, e.g. `1.25s`.
    package static func seconds(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)s"
    }
}
