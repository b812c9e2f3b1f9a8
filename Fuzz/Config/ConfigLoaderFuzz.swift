// libFuzzer entry for the config loader: any bytes, read as UTF-8 text, must either load into a
// config or be rejected with at least one ConfigProblem; a trap, a hang or a runaway allocation is
// a finding. A config that loads is also rendered for each master, twice, because rendering must be
// total and deterministic on every config the loader accepts.

/// Feeds one input to `ConfigLoader.load(yaml:file:)` and checks the contract above; always returns 0.
@_cdecl("LLVMFuzzerTestOneInput")
public func configLoaderFuzzTestOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    do {
        let config = try ConfigLoader.load(yaml: text, file: "fuzz.yaml")
        for node in config.masters {
            let first = try ManifestRenderer.all(config: config, node: node)
            let second = try ManifestRenderer.all(config: config, node: node)
            precondition(first == second, "rendering the same config twice gave different files")
        }
    } catch let error as ConfigError {
        precondition(!error.problems.isEmpty, "ConfigError without problems")
        _ = error.description
    } catch {
        // Rendering may reject a config with its own typed error; that is a normal outcome.
        _ = "\(error)"
    }
    return 0
}
