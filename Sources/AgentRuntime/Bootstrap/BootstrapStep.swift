import AgentCore
import Foundation

/// The steps of a bootstrap, in order. Their raw values are the stable names used in output,
/// JSON and the `--steps`/`--until` options.
package enum BootstrapStep: String, CaseIterable, Codable, Sendable {
    case validate
    case preflight
    case clusterSecrets = "cluster-secrets"
    case certs
    case kubeletUnit = "kubelet-unit"
    case manifests
    case kubeletStart = "kubelet-start"
    case waitAPI = "wait-api"
    /// Modern profile: waits for the kubelet and every control-plane component, instead of wait-api (issue 14).
    case waitControlPlane = "wait-control-plane"
    case election
    case namespace
    /// Modern profile: the leader binds kubeadm:cluster-admins, every master labels its Node (issue 14).
    case clusterTasks = "cluster-tasks"

    /// The steps to run for `--steps` and `--until` (at most one of them); `validate` always runs.
    /// Throws `UsageError` for an unknown step name or when both options are given.
    package static func selection(steps: [String]?, until: String?) throws -> [BootstrapStep] {
        let names = allCases.map(\.rawValue).joined(separator: ", ")
        func parse(_ name: String) throws -> BootstrapStep {
            guard let step = BootstrapStep(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw UsageError("unknown step \"\(name)\"; the steps are: \(names)")
            }
            return step
        }
        if steps != nil && until != nil { throw UsageError("--steps and --until cannot be combined; use one") }
        if let steps {
            let chosen = Set(try steps.map(parse))
            return allCases.filter { $0 == .validate || chosen.contains($0) }
        }
        if let until {
            let last = try parse(until)
            return Array(allCases.prefix(through: allCases.firstIndex(of: last)!))
        }
        return allCases
    }
}

/// A wrong combination of command-line options, found after parsing.
package struct UsageError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
