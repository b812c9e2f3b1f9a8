import XCTest

@testable import AgentCore

/// How config values are written into `ExecStart=` (SystemdSyntax). What systemd makes of these words is
/// checked against a real systemd in UnitQuotingInSystemdTests.
final class SystemdQuotingTests: XCTestCase {
    func testEachSpecialCharacterIsQuotedOrEscapedAndSafeWordsStayUnchanged() {
        // (argument, word written into the unit file)
        let cases: [(String, String)] = [
            // Safe words render exactly as before quoting existed (the document's unit depends on it).
            ("/usr/local/bin/kubelet", "/usr/local/bin/kubelet"),
            ("--api-servers=http://127.0.0.1:8080", "--api-servers=http://127.0.0.1:8080"),
            ("--config=/etc/kubernetes/manifests", "--config=/etc/kubernetes/manifests"),
            ("--housekeeping-interval=60s", "--housekeeping-interval=60s"),
            ("a,b=c:d@e+f~g", "a,b=c:d@e+f~g"),
            ("x#y", "x#y"),
            ("x;", "x;"),
            ("ünïcödé✓😀", "ünïcödé✓😀"),
            ("non\u{A0}breaking", "non\u{A0}breaking"),
            // Empty: one empty argument.
            ("", "\"\""),
            // Whitespace splits words.
            ("a b", "\"a b\""),
            (" lead", "\" lead\""),
            ("trail ", "\"trail \""),
            ("a\tb", "\"a\\tb\""),
            ("a\nb", "\"a\\nb\""),
            ("a\rb", "\"a\\rb\""),
            // Quotes and backslashes.
            ("a\"b", "\"a\\\"b\""),
            ("a'b", "\"a'b\""),
            ("a\\b", "\"a\\\\b\""),
            ("trailing\\", "\"trailing\\\\\""),
            ("\\;", "\"\\\\;\""),
            // Specifiers.
            ("%n", "%%n"),
            ("100%", "100%%"),
            ("%%", "%%%%"),
            // Variable expansion.
            ("$HOME", "$$HOME"),
            ("${HOME}", "$${HOME}"),
            ("a$$b", "a$$$$b"),
            // Comment and command separator at the start of a word.
            ("#x", "\"#x\""),
            (";", "\";\""),
            (";x", "\";x\""),
            // Other control characters as C escapes.
            ("\u{7}\u{8}\u{B}\u{C}", "\"\\a\\b\\v\\f\""),
            ("\u{1}", "\"\\x01\""),
            ("\u{1B}[31m", "\"\\x1b[31m\""),
            ("\u{7F}", "\"\\x7f\""),
            ("\u{85}", "\"\\u0085\""),
            ("\u{9F}", "\"\\u009f\""),
            // Several at once.
            ("--config=/etc/kube manifests%n", "\"--config=/etc/kube manifests%%n\""),
            ("a b%$\"'\\", "\"a b%%$$\\\"'\\\\\""),
        ]
        for (argument, expected) in cases {
            XCTAssertEqual(SystemdSyntax.execArgument(argument), expected, argument.debugDescription)
        }
    }

    func testExecutablePathKeepsItsDollarSigns() {
        XCTAssertEqual(SystemdSyntax.execPath("/usr/local/bin/kubelet"), "/usr/local/bin/kubelet")
        XCTAssertEqual(SystemdSyntax.execPath("/opt/kube bin/kubelet"), "\"/opt/kube bin/kubelet\"")
        XCTAssertEqual(SystemdSyntax.execPath("/opt/100%/kubelet"), "/opt/100%%/kubelet")
        XCTAssertEqual(SystemdSyntax.execPath("/opt/$x/kubelet"), "/opt/$x/kubelet")
    }

    func testExecutableWithADollarSignIsGivenItsOwnArgvZero() {
        // systemd runs the path unexpanded but expands argv[0]: the @ prefix sets both exactly.
        XCTAssertEqual(
            SystemdSyntax.execCommandLine("/opt/$x/kubelet", arguments: ["--v=2"]),
            "@/opt/$x/kubelet /opt/$$x/kubelet --v=2")
        XCTAssertEqual(
            SystemdSyntax.execCommandLine("/opt/a b$/kubelet", arguments: []),
            "\"@/opt/a b$/kubelet\" \"/opt/a b$$/kubelet\"")
        XCTAssertEqual(
            SystemdSyntax.execCommandLine("/usr/bin/kubelet", arguments: ["a b", "c"]), "/usr/bin/kubelet \"a b\" c")
    }

    func testSeedUnitIsByteIdenticalToTheUnquotedRendering() throws {
        let config = try TestSupport.seedConfig()
        let unit = try ManifestRenderer.kubeletUnit(config: config, node: config.masters[0])
        // The bytes written before quoting existed: a node bootstrapped by an older release sees no change.
        XCTAssertEqual(
            unit.content,
            """
            [Unit]
            Description=The primary agent to run pods
            Documentation=http://kubernetes.io/docs/admin/kubelet/
            Requires=networking.service
            After=docker.service

            [Service]
            ExecStart=/usr/local/bin/kubelet \\
              --api-servers=http://127.0.0.1:8080 \\
              --register-schedulable=false \\
              --register-node=true \\
              --allow-privileged=true \\
              --config=/etc/kubernetes/manifests \\
              --cluster-dns=10.3.0.2 \\
              --cluster-domain=cluster.local \\
              --housekeeping-interval=60s
            Restart=always
            RestartSec=10

            [Install]
            WantedBy=multi-user.target

            """)
    }

    func testSpacesAndSpecifiersInTheManifestDirStayOneArgument() throws {
        var config = try TestSupport.seedConfig()
        config.kubelet.manifestDir = "/etc/kube manifests%n"
        let unit = try ManifestRenderer.kubeletUnit(config: config, node: config.masters[0]).content
        XCTAssertTrue(unit.contains("\n  \"--config=/etc/kube manifests%%n\" \\\n"), unit)
        XCTAssertEqual(unit.components(separatedBy: "\n").filter { $0.hasPrefix("Exec") }.count, 1)
    }

    func testPodCommandsDoubleDollarSignsAndKeepSpacesInOneArgument() throws {
        var config = try TestSupport.seedConfig()
        config.pki.dir = "/etc/k8s $(HOME) ssl"
        let pods = config.kubernetes.profile.profile.staticPods(config: config, node: config.masters[0])
        let apiServer = try XCTUnwrap(pods.first { $0.metadata.name == "kube-apiserver" }?.spec.containers.first)
        // The kubelet expands $(NAME) in a command and reads $$ as $; each list item is one argument.
        XCTAssertTrue(
            apiServer.command.contains("--tls-cert-file=/etc/k8s $$(HOME) ssl/apiserver.crt"), "\(apiServer.command)")
        // Mount paths are not expanded by the kubelet and stay as configured.
        XCTAssertEqual(apiServer.volumeMounts?.first?.mountPath, "/etc/k8s $(HOME) ssl")
        XCTAssertEqual(StaticPod.literalCommand(["/hyperkube", "a$b", "$$", ""]), ["/hyperkube", "a$$b", "$$$$", ""])
    }
}
