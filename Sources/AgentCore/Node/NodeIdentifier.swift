/// Decides which `masters[]` entry this machine is: `--node`, else the hostname, else a local address.
package enum NodeIdentifier {
    /// Why this machine could not be matched to exactly one master.
    package struct IdentifyError: Error, CustomStringConvertible, Equatable {
        package enum Code: Equatable { case unknownNodeName, noMatch, ambiguous }
        package let code: Code
        package let message: String
        package var description: String { message }
    }

    /// The master for this machine.
    /// Throws `IdentifyError` when `--node` names no master, or the hostname and addresses match none or several.
    package static func identify(
        masters: [ClusterConfig.Master], explicitName: String?, hostname: String?,
        localAddresses: [IPv4Address]
    ) throws -> ClusterConfig.Master {
        let candidates = masters.map { "\($0.name) (\($0.dnsName), \($0.address))" }.joined(separator: ", ")
        if let explicitName {
            if let master = masters.first(where: { $0.name == explicitName || $0.dnsName == explicitName }) {
                return master
            }
            throw IdentifyError(
                code: .unknownNodeName,
                message:
                    "could not find --node \(explicitName) in masters[]: the config lists \(candidates). Pass one of these names."
            )
        }
        if let hostname, !hostname.isEmpty {
            let lower = hostname.lowercased()
            let short = lower.split(separator: ".").first.map(String.init) ?? lower
            let byName = masters.filter { $0.name == lower || $0.dnsName == lower || $0.name == short }
            if byName.count == 1 { return byName[0] }
            if byName.count > 1 {
                throw IdentifyError(
                    code: .ambiguous,
                    message:
                        "could not tell which master this is: hostname \(hostname) matches \(byName.map(\.name).joined(separator: " and ")). Pass --node NAME."
                )
            }
        }
        let byAddress = masters.filter { localAddresses.contains($0.address) }
        if byAddress.count == 1 { return byAddress[0] }
        let seen = localAddresses.map(\.description).joined(separator: ", ")
        if byAddress.count > 1 {
            throw IdentifyError(
                code: .ambiguous,
                message:
                    "could not tell which master this is: local addresses match \(byAddress.map(\.name).joined(separator: " and ")). Pass --node NAME."
            )
        }
        throw IdentifyError(
            code: .noMatch,
            message:
                "could not tell which master this is: hostname \"\(hostname ?? "")\" and local addresses [\(seen)] match none of \(candidates). Pass --node NAME or fix masters[] in the config."
        )
    }
}
