import Foundation

/// The rules for config values that end up in the kubelet unit, a component flag or a path, checked on
/// the parsed `ClusterConfig` after the field rules of `ConfigLoader` passed.
///
/// Quoting (`SystemdSyntax`, the YAML emitter) makes spaces, quotes, `%` and `$` safe; what no quoting
/// makes safe is rejected here: control characters in any text field (a line break in `kubelet.binary`
/// would end `ExecStart=` and start a line of the attacker's choosing), an executable path systemd
/// refuses, and unit names systemd would not load.
package enum RenderedValueCheck {
    /// Every problem in `config`, each naming its field path. No line numbers: the model does not keep them.
    package static func problems(in config: ClusterConfig) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        var clean: Set<String> = []
        for field in textFields(of: config) {
            if let problem = controlCharacterProblem(field.value) {
                problems.append(ConfigProblem(path: field.path, message: problem, line: nil))
            } else {
                clean.insert(field.path)
            }
        }
        // The rules below quote the value in their message; a field with a control character was reported above.
        let kubelet = config.kubelet
        if clean.contains("kubelet.binary"), let problem = executableProblem(kubelet.binary) {
            problems.append(ConfigProblem(path: "kubelet.binary", message: problem, line: nil))
        }
        if clean.contains("kubelet.unitPath"), let problem = unitPathProblem(kubelet.unitPath) {
            problems.append(ConfigProblem(path: "kubelet.unitPath", message: problem, line: nil))
        }
        for (key, names) in [("unitRequires", kubelet.unitRequires), ("unitAfter", kubelet.unitAfter)] {
            for (index, name) in names.enumerated() where clean.contains("kubelet.\(key)[\(index)]") {
                guard let reason = UnitName.problem(in: name) else { continue }
                problems.append(
                    ConfigProblem(
                        path: "kubelet.\(key)[\(index)]",
                        message: "\(shown(name)) is not a systemd unit name: \(reason)", line: nil))
            }
        }
        return problems
    }

    /// Every text field of `config` with its field path, in the order of the example file. Typed values
    /// (addresses, CIDRs, enums, numbers) hold no free text and are not listed.
    package static func textFields(of config: ClusterConfig) -> [(path: String, value: String)] {
        var fields: [(path: String, value: String)] = []
        func add(_ path: String, _ value: String?) {
            if let value { fields.append((path, value)) }
        }
        func add(_ path: String, _ values: [String]) {
            for (index, value) in values.enumerated() { fields.append(("\(path)[\(index)]", value)) }
        }
        add("kubernetes.version", config.kubernetes.version)
        add("kubernetes.image", config.kubernetes.image)
        add("kubernetes.imageRepository", config.kubernetes.imageRepository)
        add("cluster.name", config.cluster.name)
        add("cluster.domain", config.cluster.domain)
        add("loadBalancer.dnsName", config.loadBalancer.dnsName)
        for (index, master) in config.masters.enumerated() {
            add("masters[\(index)].name", master.name)
            add("masters[\(index)].dnsName", master.dnsName)
        }
        add("etcd.endpoints", config.etcd.endpoints)
        add("etcd.caFile", config.etcd.caFile)
        add("etcd.certFile", config.etcd.certFile)
        add("etcd.keyFile", config.etcd.keyFile)
        let api = config.apiServer
        add("apiServer.localURL", api.localURL)
        add("apiServer.admissionControl", api.admissionControl)
        // Left out, clientCAFile is etcd.caFile (the document's choice): one value, reported once, at etcd.caFile.
        if api.clientCAFile != config.etcd.caFile { add("apiServer.clientCAFile", api.clientCAFile) }
        add("apiServer.caFile", api.caFile)
        add("apiServer.certFile", api.certFile)
        add("apiServer.keyFile", api.keyFile)
        add("apiServer.tokenFile", api.tokenFile)
        add("apiServer.waitTimeout", api.waitTimeout.text)
        add("pki.dir", config.pki.dir)
        add("pki.caKey", config.pki.caKey)
        add("pki.caCert", config.pki.caCert)
        add("pki.extraSANs", config.pki.extraSANs)
        add("pki.renewBefore", config.pki.renewBefore.text)
        let kubelet = config.kubelet
        add("kubelet.binary", kubelet.binary)
        add("kubelet.manifestDir", kubelet.manifestDir)
        add("kubelet.housekeepingInterval", kubelet.housekeepingInterval.text)
        add("kubelet.unitPath", kubelet.unitPath)
        add("kubelet.containerRuntimeEndpoint", kubelet.containerRuntimeEndpoint)
        add("kubelet.unitRequires", kubelet.unitRequires)
        add("kubelet.unitAfter", kubelet.unitAfter)
        add("election.namespace", config.election.namespace)
        add("election.lockName", config.election.lockName)
        add("election.leaseDuration", config.election.leaseDuration.text)
        add("election.renewInterval", config.election.renewInterval.text)
        add("secrets.tokenFile", config.secrets.tokenFile)
        add("secrets.keyPrefix", config.secrets.keyPrefix)
        add("secrets.waitTimeout", config.secrets.waitTimeout.text)
        return fields
    }

    /// Why `value` cannot be written into a unit, flag or path, or nil when it has no control character.
    /// Tab counts too: it separates words in a unit file, and no path or flag of ours needs one.
    package static func controlCharacterProblem(_ value: String) -> String? {
        guard let found = value.unicodeScalars.first(where: isControl) else { return nil }
        return
            "\(shown(value)) contains the control character \(codePoint(found)); values that reach the kubelet unit, "
            + "a component flag or a path must be printable text"
    }

    /// True for the C0 controls (including tab, line feed, CR and NUL), DEL and the C1 controls.
    package static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control
    }

    // systemd refuses to execute a path holding a quote or backslash ("Executable name contains special
    // characters") or ending in "/" ("Executable path specifies a directory"): no quoting helps.
    private static func executableProblem(_ path: String) -> String? {
        if path.contains(where: { $0 == "\"" || $0 == "'" || $0 == "\\" }) {
            return "\(shown(path)) contains a quote or a backslash, which systemd refuses in an executable path; "
                + "install the kubelet under a path without them"
        }
        if path.hasSuffix("/") {
            return "\(shown(path)) ends with \"/\"; name the kubelet binary, not its directory"
        }
        return nil
    }

    // The file name is the unit name the agent enables and starts (Manager.EnableUnitFiles, StartUnit).
    private static func unitPathProblem(_ path: String) -> String? {
        let name = (path as NSString).lastPathComponent
        if let reason = UnitName.problem(in: name) {
            return "\(shown(path)) must end in a unit file name such as kubelet.service: \(reason)"
        }
        if UnitName(name)?.type != "service" {
            return "\(shown(path)) must name a .service unit (the kubelet runs as a service), not \(name)"
        }
        return nil
    }

    // The value in double quotes with control characters, quotes and backslashes escaped, so a message
    // never prints a raw line break or terminal escape.
    private static func shown(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            default:
                text += isControl(scalar) ? "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" : String(scalar)
            }
        }
        return text + "\""
    }

    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        switch scalar {
        case "\n": return code + " (line feed)"
        case "\r": return code + " (carriage return)"
        case "\t": return code + " (tab)"
        case "\0": return code + " (NUL)"
        default: return code
        }
    }
}
