import Foundation
import Yams

/// Turns the text of a config file into a validated `ClusterConfig`, or into every problem it has.
/// Pure: the caller reads the file.
package enum ConfigLoader {
    /// Parses and validates `yaml`; throws `ConfigError` listing all problems, named after `file`.
    package static func load(yaml: String, file: String) throws -> ClusterConfig {
        let problems = ProblemCollector()
        let config = parse(yaml: yaml, problems: problems)
        if let config { RenderedValueCheck.problems(in: config).forEach(problems.add) }
        if let config, problems.problems.isEmpty { return config }
        throw ConfigError(
            file: file,
            problems: problems.problems.isEmpty
                ? [ConfigProblem(path: "", message: "the file holds no configuration", line: nil)]
                : problems.problems)
    }

    private static func parse(yaml text: String, problems: ProblemCollector) -> ClusterConfig? {
        // YAML allows a byte order mark before the stream, but Yams hands libyaml a fixed UTF-8 encoding,
        // so libyaml reads the mark as content ("did not find expected <document start>").
        let yaml = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        // Yams composes nested collections by recursion: this check keeps a deep file off the stack.
        if let problem = YAMLDocumentLimits.nestingProblem(in: yaml) {
            problems.add(problem)
            return nil
        }
        let root: Node?
        do {
            // The default resolver only tells nulls apart here: YAMLFieldReader reads every other
            // scalar as text and checks it itself.
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            problems.add("", "is not valid YAML: \(located(error))", at: nil)
            return nil
        } catch {
            problems.add("", "is not valid YAML: \(error)", at: nil)
            return nil
        }
        guard let root, !YAMLFieldReader.isNull(root) else {
            problems.add("", "the file is empty; start from `master-agent config print-example`", at: nil)
            return nil
        }
        if let problem = YAMLDocumentLimits.expansionProblem(in: root) {
            problems.add(problem)
            return nil
        }
        let top = YAMLFieldReader(
            path: "", node: root,
            keys: [
                "apiVersion", "kind", "kubernetes", "cluster", "loadBalancer",
                "masters", "etcd", "apiServer", "pki", "kubelet", "election", "secrets", "metrics",
            ],
            problems: problems)
        guard top.isPresent, case .mapping = root else { return nil }
        if let apiVersion = top.string("apiVersion"), apiVersion != ClusterConfig.apiVersion {
            problems.add(
                "apiVersion", "\"\(apiVersion)\" is not supported; use \(ClusterConfig.apiVersion)",
                at: top.node("apiVersion"))
        }
        if let kind = top.string("kind"), kind != ClusterConfig.kind {
            problems.add("kind", "\"\(kind)\" is not supported; use \(ClusterConfig.kind)", at: top.node("kind"))
        }

        let kubernetesSection = top.section("kubernetes", keys: ["profile", "version", "image", "imageRepository"])
        let profile = readProfile(kubernetesSection)
        let kubernetes = readKubernetes(kubernetesSection, profile: profile)
        let cluster = readCluster(
            top.section("cluster", keys: ["name", "serviceCIDR", "dnsServiceIP", "domain", "podCIDR"]),
            profile: profile)
        let loadBalancer = readLoadBalancer(
            top.section("loadBalancer", keys: ["dnsName", "address", "port"]), profile: profile)
        let masters = readMasters(top)
        let etcd = readEtcd(
            top.section("etcd", keys: ["endpoints", "caFile", "certFile", "keyFile"]), profile: profile)
        let apiServer = readAPIServer(
            top.section(
                "apiServer",
                keys: [
                    "bindAddress", "securePort", "localURL", "admissionControl",
                    "clientCAFile", "caFile", "certFile", "keyFile", "tokenFile",
                    "waitTimeout",
                ]),
            etcdCA: etcd?.caFile, profile: profile)
        let pki = readPKI(
            top.section(
                "pki",
                keys: [
                    "dir", "keyType", "validityDays", "caValidityDays", "expiryWarningDays",
                    "caKey", "caCert", "extraSANs", "renewBefore",
                ]), profile: profile)
        let kubelet = readKubelet(
            top.section(
                "kubelet",
                keys: [
                    "binary", "manifestDir", "housekeepingInterval", "unitPath",
                    "containerRuntimeEndpoint", "unitRequires", "unitAfter",
                    "restartSec",
                ]), profile: profile)
        let election = readElection(
            top.section("election", keys: ["namespace", "lockName", "leaseDuration", "renewInterval"]))
        let secrets = readSecrets(top.section("secrets", keys: ["store", "tokenFile", "keyPrefix", "waitTimeout"]))
        let metricsSection = top.section("metrics", keys: ["textfileDir"])
        let textfileDir = metricsSection.absolutePath("textfileDir", required: false)
        let metricsValid = textfileDir != nil || metricsSection.node("textfileDir") == nil

        guard let kubernetes, let cluster, let loadBalancer, let masters, let etcd, let apiServer,
            let pki, let kubelet, let election, let secrets, metricsValid
        else { return nil }
        return ClusterConfig(
            kubernetes: kubernetes, cluster: cluster, loadBalancer: loadBalancer, masters: masters,
            etcd: etcd, apiServer: apiServer, pki: pki, kubelet: kubelet, election: election, secrets: secrets,
            metrics: .init(textfileDir: textfileDir))
    }

    private static func readProfile(_ r: YAMLFieldReader) -> RenderProfileName? {
        guard let text = r.string("profile") else { return nil }
        guard let profile = RenderProfileName(rawValue: text) else {
            let known = RenderProfileName.allCases.map(\.rawValue).joined(separator: ", ")
            r.problems.add(
                r.fieldPath("profile"), "unknown profile \"\(text)\" (known: \(known))", at: r.node("profile"))
            return nil
        }
        return profile
    }

    /// The Kubernetes versions the modern profile renders: its flags were checked against these releases.
    package static let modernVersions = 33...36
    /// The supported range as the messages spell it.
    package static let modernVersionRange = "v1.33.0 to v1.36.x"

    /// True for `v1.<minor>.<patch>` with a minor the modern profile supports.
    package static func isModernVersion(_ version: String) -> Bool {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let minor = Int(parts[1]), modernVersions.contains(minor),
            !parts[2].isEmpty, parts[2].allSatisfy({ $0.isASCII && $0.isNumber }), String(parts[1]) == String(minor)
        else { return false }
        return true
    }

    // Reports `key` when it is set although `profile` is not the one that uses it; true when it did.
    private static func rejectUnused(
        _ r: YAMLFieldReader, _ key: String, under profile: RenderProfileName?,
        usedBy owner: RenderProfileName, _ reason: String
    ) -> Bool {
        guard let profile, profile != owner, r.node(key) != nil else { return false }
        r.problems.add(
            r.fieldPath(key), "is used only by the \(owner.rawValue) profile, not \(profile.rawValue): \(reason)",
            at: r.node(key))
        return true
    }

    private static func readKubernetes(_ r: YAMLFieldReader, profile: RenderProfileName?) -> ClusterConfig.Kubernetes? {
        let version = r.string("version")
        if profile == .modern, let version, !isModernVersion(version) {
            r.problems.add(
                r.fieldPath("version"),
                "\"\(version)\" is not supported by the modern profile "
                    + "(supported: \(modernVersionRange), written v1.MINOR.PATCH)", at: r.node("version"))
        }
        var image: String?
        if profile == .modern {
            _ = rejectUnused(
                r, "image", under: profile, usedBy: .legacyHyperkube,
                "the modern profile runs one image per component, <kubernetes.imageRepository>/<component>:<version>")
            image = ""
        } else {
            image = r.string("image")
            if let text = image, text.contains(where: { $0.isWhitespace }) {
                r.problems.add(r.fieldPath("image"), "\"\(text)\" must not contain spaces", at: r.node("image"))
                image = nil
            }
        }
        var repository: String?
        if !rejectUnused(
            r, "imageRepository", under: profile, usedBy: .modern,
            "the legacy profile runs the one hyperkube image named by kubernetes.image"), profile == .modern
        {
            repository = r.string("imageRepository", required: false) ?? "registry.k8s.io"
            if let text = repository, let reason = imageRepositoryProblem(text) {
                r.problems.add(r.fieldPath("imageRepository"), "\"\(text)\" \(reason)", at: r.node("imageRepository"))
            }
        }
        guard let profile, let version, let image else { return nil }
        return .init(profile: profile, version: version, image: image, imageRepository: repository)
    }

    /// Why `text` cannot prefix an image reference (`<repository>/kube-apiserver:<version>`), or nil.
    package static func imageRepositoryProblem(_ text: String) -> String? {
        if text.contains(where: { $0.isWhitespace }) { return "must not contain spaces" }
        if text.contains("://") {
            return "must not have a scheme (write e.g. registry.k8s.io or registry.example.com:5000/k8s)"
        }
        if text.hasPrefix("/") || text.hasSuffix("/") { return "must not begin or end with \"/\"" }
        if text.contains("@") || text.contains("//") {
            return "is not an image repository (write e.g. registry.k8s.io)"
        }
        return nil
    }

    /// Why `text` is not a CRI endpoint the kubelet accepts (`unix:///absolute/path` or `tcp://host:port`), or nil.
    package static func runtimeEndpointProblem(_ text: String) -> String? {
        if text.contains(where: { $0.isWhitespace }) { return "must not contain spaces" }
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/"), path.count > 1, !path.hasSuffix("/") else {
                return "must name an absolute socket path (write e.g. unix:///run/containerd/containerd.sock)"
            }
            return nil
        }
        if text.hasPrefix("tcp://") {
            guard let url = URLComponents(string: text), let host = url.host, !host.isEmpty, let port = url.port,
                (1...65535).contains(port), url.path.isEmpty, url.query == nil
            else { return "must be tcp://HOST:PORT (write e.g. tcp://127.0.0.1:3735)" }
            return nil
        }
        return "must be unix:///ABSOLUTE/PATH or tcp://HOST:PORT (write e.g. unix:///run/containerd/containerd.sock)"
    }

    private static func readCluster(_ r: YAMLFieldReader, profile: RenderProfileName?) -> ClusterConfig.Cluster? {
        var name = "kubernetes"
        var podCIDR: IPv4CIDR?
        let unused = [
            rejectUnused(
                r, "name", under: profile, usedBy: .modern,
                "it names the cluster in kubeconfigs, which the legacy profile does not write"),
            rejectUnused(
                r, "podCIDR", under: profile, usedBy: .modern,
                "the legacy kube-controller-manager is not told to allocate node CIDRs"),
        ]
        if profile == .modern {
            if let text = r.string("name", required: false) {
                if DNSName.isValid(text) {
                    name = text
                } else {
                    r.problems.add(
                        r.fieldPath("name"),
                        "\"\(text)\" is not a valid cluster name (lower case letters, digits, '-' and '.')",
                        at: r.node("name"))
                }
            }
            if r.node("podCIDR") != nil { podCIDR = r.cidr("podCIDR") }
        }
        let cidr = r.cidr("serviceCIDR")
        if let cidr, let podCIDR, podCIDR.contains(cidr.network) || cidr.contains(podCIDR.network) {
            r.problems.add(
                r.fieldPath("podCIDR"),
                "\(podCIDR) overlaps cluster.serviceCIDR (\(cidr)); pod and service addresses must not mix",
                at: r.node("podCIDR"))
        }
        if unused.contains(true) { return nil }
        let dns = r.ipv4("dnsServiceIP")
        let domain = r.string("domain")
        if let domain, !DNSName.isValid(domain) {
            r.problems.add(r.fieldPath("domain"), "\"\(domain)\" is not a valid DNS domain", at: r.node("domain"))
            return nil
        }
        if let cidr, cidr.prefixLength > 30 {
            r.problems.add(
                r.fieldPath("serviceCIDR"),
                "\(cidr) is too small; it needs room for kubernetes.default and the DNS service (at most /30)",
                at: r.node("serviceCIDR"))
            return nil
        }
        if let cidr, let dns {
            if !cidr.contains(dns) {
                r.problems.add(
                    r.fieldPath("dnsServiceIP"), "\(dns) is outside cluster.serviceCIDR (\(cidr))",
                    at: r.node("dnsServiceIP"))
                return nil
            }
            if dns == cidr.network || dns == cidr.lastAddress {
                r.problems.add(
                    r.fieldPath("dnsServiceIP"),
                    "\(dns) is the \(dns == cidr.network ? "network" : "broadcast") address of \(cidr); pick a host address such as \(IPv4Address(value: cidr.network.value + 10))",
                    at: r.node("dnsServiceIP"))
                return nil
            }
            if dns == cidr.firstHostAddress {
                r.problems.add(
                    r.fieldPath("dnsServiceIP"),
                    "\(dns) is the first address of \(cidr), which Kubernetes gives to kubernetes.default; pick another, such as \(IPv4Address(value: cidr.network.value + 10))",
                    at: r.node("dnsServiceIP"))
                return nil
            }
        }
        guard let cidr, let dns, let domain else { return nil }
        return .init(serviceCIDR: cidr, dnsServiceIP: dns, domain: domain, name: name, podCIDR: podCIDR)
    }

    private static func readLoadBalancer(_ r: YAMLFieldReader, profile: RenderProfileName?) -> ClusterConfig
        .LoadBalancer?
    {
        let dnsName = checkedDNSName(r, "dnsName")
        let address = r.ipv4("address")
        var port: Int?
        if rejectUnused(
            r, "port", under: profile, usedBy: .modern,
            "legacy clients reach the load balancer on apiServer.securePort")
        {
            return nil
        }
        if profile == .modern {
            port = r.integer("port", default: 6443, range: 1...65535)
            if port == nil { return nil }
        }
        guard let dnsName, let address else { return nil }
        return .init(dnsName: dnsName, address: address, port: port)
    }

    private static func checkedDNSName(_ r: YAMLFieldReader, _ key: String) -> String? {
        guard let name = r.string(key) else { return nil }
        guard DNSName.isValid(name) else {
            r.problems.add(
                r.fieldPath(key), "\"\(name)\" is not a valid DNS name (lower case letters, digits, '-' and '.')",
                at: r.node(key))
            return nil
        }
        return name
    }

    private static func readMasters(_ top: YAMLFieldReader) -> [ClusterConfig.Master]? {
        guard let items = top.mappingList("masters", keys: ["name", "dnsName", "address"]) else { return nil }
        if items.isEmpty {
            top.problems.add("masters", "must list at least one master", at: top.node("masters"))
            return nil
        }
        var masters: [ClusterConfig.Master] = []
        var failed = false
        var names: [String: String] = [:], dnsNames: [String: String] = [:], addresses: [IPv4Address: String] = [:]
        for item in items {
            let name = checkedDNSName(item, "name")
            let dnsName = checkedDNSName(item, "dnsName")
            let address = item.ipv4("address")
            if let name {
                if let first = names[name] {
                    item.problems.add(
                        item.fieldPath("name"), "duplicate master name \"\(name)\" (also \(first))",
                        at: item.node("name"));
                    failed = true
                } else {
                    names[name] = item.fieldPath("name")
                }
            }
            if let dnsName {
                if let first = dnsNames[dnsName] {
                    item.problems.add(
                        item.fieldPath("dnsName"), "duplicate DNS name \"\(dnsName)\" (also \(first))",
                        at: item.node("dnsName"));
                    failed = true
                } else {
                    dnsNames[dnsName] = item.fieldPath("dnsName")
                }
            }
            if let address {
                if let first = addresses[address] {
                    item.problems.add(
                        item.fieldPath("address"), "duplicate address \(address) (also \(first))",
                        at: item.node("address"));
                    failed = true
                } else {
                    addresses[address] = item.fieldPath("address")
                }
            }
            if let name, let dnsName, let address {
                masters.append(.init(name: name, dnsName: dnsName, address: address))
            } else {
                failed = true
            }
        }
        return failed ? nil : masters
    }

    private static func readEtcd(_ r: YAMLFieldReader, profile: RenderProfileName?) -> ClusterConfig.Etcd? {
        var endpoints = r.stringList("endpoints")
        for (index, endpoint) in (endpoints ?? []).enumerated() {
            if let reason = urlProblem(endpoint) {
                r.problems.add(
                    "\(r.fieldPath("endpoints"))[\(index)]", "\"\(endpoint)\" \(reason)", at: r.node("endpoints"))
                endpoints = nil
            } else if profile == .modern, URLComponents(string: endpoint)?.scheme?.lowercased() != "https" {
                r.problems.add(
                    "\(r.fieldPath("endpoints"))[\(index)]",
                    "\"\(endpoint)\" must use https under the modern profile "
                        + "(the API server reaches etcd over mutual TLS with etcd.certFile and etcd.keyFile)",
                    at: r.node("endpoints"))
                endpoints = nil
            }
        }
        let caFile = r.absolutePath("caFile")
        let certFile = r.absolutePath("certFile")
        let keyFile = r.absolutePath("keyFile")
        guard let endpoints, let caFile, let certFile, let keyFile else { return nil }
        return .init(endpoints: endpoints, caFile: caFile, certFile: certFile, keyFile: keyFile)
    }

    /// Why `text` is not an http(s) URL with a host and a port and no path, or nil when it is one.
    package static func urlProblem(_ text: String) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else {
            return "is not a URL (write e.g. https://10.0.0.1:2379)"
        }
        guard scheme == "http" || scheme == "https" else { return "must use http or https, not \(scheme)" }
        guard let host = url.host, !host.isEmpty else { return "has no host" }
        guard let port = url.port else { return "has no port (write e.g. \(scheme)://\(host):2379)" }
        guard (1...65535).contains(port) else { return "has port \(port) outside 1-65535" }
        guard url.path.isEmpty || url.path == "/", url.query == nil else { return "must not have a path or query" }
        return nil
    }

    private static func readAPIServer(_ r: YAMLFieldReader, etcdCA: String?, profile: RenderProfileName?)
        -> ClusterConfig.APIServer?
    {
        let modern = profile == .modern
        let bindAddress = r.ipv4("bindAddress", default: IPv4Address(value: 0))
        let securePort = r.integer("securePort", default: modern ? 6443 : 443, range: 1...65535)
        var localURL =
            r.string("localURL", required: false) ?? (modern ? "https://127.0.0.1:6443" : "http://127.0.0.1:8080")
        if let reason = urlProblem(localURL) {
            r.problems.add(r.fieldPath("localURL"), "\"\(localURL)\" \(reason)", at: r.node("localURL"))
            localURL = ""
        } else if modern, URLComponents(string: localURL)?.scheme?.lowercased() != "https" {
            // An https localURL stays allowed under legacy: apiServer.caFile/certFile/keyFile/tokenFile exist for it.
            r.problems.add(
                r.fieldPath("localURL"),
                "\"\(localURL)\" is an http URL, which only the legacy-hyperkube profile "
                    + "uses: the modern API server has no insecure port (removed in v1.20); write e.g. https://127.0.0.1:6443",
                at: r.node("localURL"))
            localURL = ""
        }
        var admission: [String]? = []
        if !rejectUnused(
            r, "admissionControl", under: profile, usedBy: .legacyHyperkube,
            "--admission-control was removed in v1.10; the modern profile chooses its admission plugins itself")
        {
            admission = r.stringList("admissionControl", required: false, default: [])
        }
        // Under modern the API server trusts client certificates of the cluster CA, <pki.dir>/ca.crt, as kubeadm's does.
        let clientCAUnused = rejectUnused(
            r, "clientCAFile", under: profile, usedBy: .legacyHyperkube,
            "the modern API server's --client-ca-file is the cluster CA, <pki.dir>/ca.crt, which signs every client "
                + "certificate of the control plane")
        let clientCA = clientCAUnused ? etcdCA : r.absolutePath("clientCAFile", required: false) ?? etcdCA
        let caFile = r.absolutePath("caFile", required: false)
        let certFile = r.absolutePath("certFile", required: false)
        let keyFile = r.absolutePath("keyFile", required: false)
        let tokenFile = r.absolutePath("tokenFile", required: false)
        let waitTimeout = r.duration("waitTimeout", default: "5m")
        if (certFile == nil) != (keyFile == nil), r.node("certFile") != nil || r.node("keyFile") != nil {
            r.problems.add(
                r.fieldPath(certFile == nil ? "certFile" : "keyFile"),
                "is required when \(r.fieldPath(certFile == nil ? "keyFile" : "certFile")) is set (a client certificate needs both)",
                at: r.node)
            return nil
        }
        guard let bindAddress, let securePort, !localURL.isEmpty, let admission, let clientCA, let waitTimeout else {
            return nil
        }
        return .init(
            bindAddress: bindAddress, securePort: securePort, localURL: localURL, admissionControl: admission,
            clientCAFile: clientCA, caFile: caFile, certFile: certFile, keyFile: keyFile, tokenFile: tokenFile,
            waitTimeout: waitTimeout)
    }

    private static func readPKI(_ r: YAMLFieldReader, profile: RenderProfileName?) -> ClusterConfig.PKI? {
        let dir = r.absolutePath("dir", default: profile == .modern ? "/etc/kubernetes/pki" : "/etc/kubernetes/ssl")
        let keyTypeText = r.string("keyType", required: false) ?? KeyType.rsa2048.rawValue
        let keyType = KeyType(rawValue: keyTypeText)
        if keyType == nil {
            let known = KeyType.allCases.map(\.rawValue).joined(separator: ", ")
            r.problems.add(
                r.fieldPath("keyType"), "unknown key type \"\(keyTypeText)\" (known: \(known))", at: r.node("keyType"))
        }
        let validity = r.integer("validityDays", default: 365, range: 1...36500)
        var caValidity: Int?
        if rejectUnused(
            r, "caValidityDays", under: profile, usedBy: .modern,
            "the legacy profile never makes a CA; it signs with the CA given in pki.caCert and pki.caKey")
        {
            return nil
        }
        if profile == .modern {
            caValidity = r.integer("caValidityDays", default: 3650, range: 1...36500)
            if caValidity == nil { return nil }
            if let caValidity, let validity, caValidity < validity {
                r.problems.add(
                    r.fieldPath("caValidityDays"),
                    "\(caValidity) must be at least pki.validityDays (\(validity)): "
                        + "a certificate must not outlive its CA",
                    at: r.node("caValidityDays") ?? r.node("validityDays"))
                return nil
            }
        }
        let warning = r.integer("expiryWarningDays", default: 30, range: 0...36500)
        let caKey = r.absolutePath("caKey", required: false)
        let caCert = r.absolutePath("caCert", required: false)
        var extraSANs = r.stringList("extraSANs", required: false, default: [])
        for (index, san) in (extraSANs ?? []).enumerated() where IPv4Address(san) == nil && !DNSName.isValid(san) {
            r.problems.add(
                "\(r.fieldPath("extraSANs"))[\(index)]", "\"\(san)\" is neither an IPv4 address nor a DNS name",
                at: r.node("extraSANs"))
            extraSANs = nil
        }
        let renewBefore = readRenewBefore(r)
        guard let dir, let keyType, let validity, let warning, let extraSANs, let renewBefore else { return nil }
        return .init(
            dir: dir, keyType: keyType, validityDays: validity, expiryWarningDays: warning,
            caKey: caKey, caCert: caCert, extraSANs: extraSANs, caValidityDays: caValidity, renewBefore: renewBefore)
    }

    /// `pki.renewBefore`: days (`30d`) or a duration (`12h`), more than zero and at most 36500 days.
    private static func readRenewBefore(_ r: YAMLFieldReader) -> ConfigDuration? {
        guard let node = r.node("renewBefore") else { return .days(30) }
        guard let text = r.string("renewBefore"), let duration = ConfigDuration.allowingDays(text),
            duration.seconds > 0, duration.seconds <= 36500 * 86400
        else {
            r.problems.add(
                r.fieldPath("renewBefore"),
                "\(YAMLFieldReader.quoted(node)) is not a lifetime above zero and at most 36500d (write e.g. 30d, 12h)",
                at: node)
            return nil
        }
        return duration
    }

    private static func readKubelet(_ r: YAMLFieldReader, profile: RenderProfileName?) -> ClusterConfig.Kubelet? {
        let modern = profile == .modern
        let binary = r.absolutePath("binary", default: modern ? "/usr/bin/kubelet" : "/usr/local/bin/kubelet")
        let manifestDir = r.absolutePath("manifestDir", default: "/etc/kubernetes/manifests")
        let housekeeping = r.duration("housekeepingInterval", default: "60s")
        let unitPath = r.absolutePath("unitPath", default: "/etc/systemd/system/kubelet.service")
        var endpoint: String?
        if rejectUnused(
            r, "containerRuntimeEndpoint", under: profile, usedBy: .modern,
            "the legacy kubelet runs containers through Docker and takes no CRI endpoint")
        {
            return nil
        }
        if modern {
            endpoint = r.string("containerRuntimeEndpoint", required: false) ?? "unix:///run/containerd/containerd.sock"
            if let text = endpoint, let reason = runtimeEndpointProblem(text) {
                r.problems.add(
                    r.fieldPath("containerRuntimeEndpoint"), "\"\(text)\" \(reason)",
                    at: r.node("containerRuntimeEndpoint"))
                return nil
            }
            if endpoint == nil { return nil }
        }
        var requires = r.stringList("unitRequires", required: false, default: modern ? [] : ["networking.service"])
        var after = r.stringList(
            "unitAfter", required: false, default: modern ? ["containerd.service"] : ["docker.service"])
        for (key, list) in [("unitRequires", requires), ("unitAfter", after)] {
            for (index, unit) in (list ?? []).enumerated() where !isUnitName(unit) {
                r.problems.add(
                    "\(r.fieldPath(key))[\(index)]",
                    "\"\(unit)\" is not a systemd unit name (e.g. network-online.target)", at: r.node(key))
                if key == "unitRequires" { requires = nil } else { after = nil }
            }
        }
        let restartSec = r.integer("restartSec", default: 10, range: 0...3600)
        guard let binary, let manifestDir, let housekeeping, let unitPath, let requires, let after, let restartSec
        else { return nil }
        return .init(
            binary: binary, manifestDir: manifestDir, housekeepingInterval: housekeeping, unitPath: unitPath,
            unitRequires: requires, unitAfter: after, restartSec: restartSec, containerRuntimeEndpoint: endpoint)
    }

    package static func isUnitName(_ name: String) -> Bool {
        let suffixes = [
            ".service", ".target", ".socket", ".mount", ".device", ".path", ".timer", ".slice", ".scope", ".swap",
            ".automount",
        ]
        guard let suffix = suffixes.first(where: { name.hasSuffix($0) }), name.count > suffix.count else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ":-_.\\@".contains($0)) }
    }

    private static func readElection(_ r: YAMLFieldReader) -> ClusterConfig.Election? {
        let namespace = r.string("namespace", required: false) ?? "default"
        let lockName = r.string("lockName", required: false) ?? "master-agent-bootstrap"
        let lease = r.duration("leaseDuration", default: "15s")
        let renew = r.duration("renewInterval", default: "2s")
        // The same rules the elector applies (LeaseTimings), so a config that validates can be elected with.
        if let lease, let renew {
            do {
                _ = try LeaseTimings(leaseDuration: lease.seconds, renewInterval: renew.seconds)
            } catch let error as LeaseTimingsError where error.code == .leaseDuration {
                r.problems.add(
                    r.fieldPath("leaseDuration"),
                    "\(lease) must be a whole number of seconds, at least 1s (lease records hold whole seconds)",
                    at: r.node("leaseDuration"))
                return nil
            } catch {
                r.problems.add(
                    r.fieldPath("renewInterval"), "\(renew) must be shorter than election.leaseDuration (\(lease))",
                    at: r.node("renewInterval"))
                return nil
            }
        }
        guard let lease, let renew else { return nil }
        return .init(namespace: namespace, lockName: lockName, leaseDuration: lease, renewInterval: renew)
    }

    private static func readSecrets(_ r: YAMLFieldReader) -> ClusterConfig.Secrets? {
        typealias Secrets = ClusterConfig.Secrets
        var store: SecretsStoreKind? = SecretsStoreKind.none
        if let text = r.string("store", required: false) {
            store = SecretsStoreKind(rawValue: text)
            if store == nil {
                let known = SecretsStoreKind.allCases.map(\.rawValue).joined(separator: ", ")
                r.problems.add(
                    r.fieldPath("store"), "unknown store \"\(text)\" (known: \(known))", at: r.node("store"))
            }
        }
        let tokenFile = r.absolutePath("tokenFile", default: Secrets.defaultTokenFile)
        var keyPrefix = r.string("keyPrefix", required: false) ?? Secrets.defaultKeyPrefix
        if let reason = etcdKeyPrefixProblem(keyPrefix) {
            r.problems.add(r.fieldPath("keyPrefix"), "\"\(keyPrefix)\" \(reason)", at: r.node("keyPrefix"))
            keyPrefix = ""
        }
        let waitTimeout = r.duration("waitTimeout", default: "2m")
        guard let store, let tokenFile, !keyPrefix.isEmpty, let waitTimeout else { return nil }
        return Secrets(store: store, tokenFile: tokenFile, keyPrefix: keyPrefix, waitTimeout: waitTimeout)
    }

    /// Why `prefix` cannot start the etcd key of the secrets record, or nil when it can: `/` then path segments of
    /// letters, digits, `.`, `_` and `-`, no trailing `/` (the record adds `/<cluster.name>/secrets`).
    package static func etcdKeyPrefixProblem(_ prefix: String) -> String? {
        guard prefix.hasPrefix("/"), prefix.count > 1 else {
            return "must start with / and name a path (e.g. /master-agent)"
        }
        guard !prefix.hasSuffix("/") else {
            return "must not end with / (the record's key adds /<cluster.name>/secrets)"
        }
        let segments = prefix.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            return "must not contain empty, \".\" or \"..\" segments"
        }
        let allowed = prefix.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-".contains($0)) }
        return allowed ? nil : "may hold only letters, digits, '/', '.', '_' and '-'"
    }

    // "PROBLEM (line L, column C)" for text libyaml could not read; Yams's own description otherwise
    // (for a reader error it quotes the line and points at the character).
    private static func located(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return "\(problem) (line \(mark.line), column \(mark.column))"
        default:
            return "\(error)"
        }
    }
}
