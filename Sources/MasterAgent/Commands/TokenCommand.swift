import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import FoundationEssentials

/// `master-agent token`: the cluster join token that encrypts the shared secrets in etcd.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make the cluster join token that encrypts the secrets shared through etcd.",
        subcommands: [Generate.self]
    )

    /// `master-agent token generate`: a new token on stdout, or into a new 0600 file with `--out`.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new join token (256 random bits and a checksum), or write it to a new file.",
            discussion: """
                Put the same token on every master at secrets.tokenFile (default \
                \(ClusterConfig.Secrets.defaultTokenFile)), mode 0600, owned by root. The token is never \
                read from the command line: commands read it from that file.
                """)

        @Option(
            name: .long,
            help:
                "Write the token to this new file (mode 0600, owned by root) instead of printing it; refuses to replace one."
        )
        var out: String?

        @Option(name: .long, help: "Prefix for --out (tests, image builds).")
        var root: String = "/"

        func run() throws {
            let token: JoinToken
            do {
                token = try JoinToken(secret: SecureRandom.bytes(JoinToken.secretByteCount))
            } catch {
                throw CommandFailure(status: .failure, message: "\(error)")
            }
            guard let out else {
                print(token.text)
                return
            }
            guard out.hasPrefix("/") else {
                throw CommandFailure(status: .usage, message: "--out \(out) must be an absolute path")
            }
            let files = RootedFileSystem(root: root)
            do {
                // A second token would not open the record the first one sealed: never replace one.
                if try files.readFile(out) != nil {
                    throw CommandFailure(
                        status: .failure,
                        message:
                            "could not write \(files.hostPath(out)): it exists already, and a new token cannot open the "
                            + "secrets sealed with the old one. Remove it first if you mean to start over.")
                }
                let directory = String(out[..<out.lastIndex(of: "/")!])
                _ = try files.ensureDirectory(directory.isEmpty ? "/" : directory, mode: 0o755)
                try files.writeAtomically(out, data: Data((token.text + "\n").utf8), mode: 0o600)
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw CommandFailure(status: .failure, message: "\(error)")
            }
            print(
                "wrote a new join token to \(files.hostPath(out)) (mode 0600); copy it to the same path on every master"
            )
        }
    }
}
