// swift-tools-version:6.0
import PackageDescription

// The layers are targets, so a wrong-way import does not build:
// MasterAgent (the CLI) -> AgentRuntime (steps behind ports) -> AgentCore (pure);
// AgentPlatform (the only code that imports a C module or touches the OS) implements AgentRuntime's ports.
let package = Package(
    name: "master-agent",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "master-agent", targets: ["MasterAgent"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C targets hold forwarding shims only (variadic functions and macros that
        // Swift cannot import); they link the Debian -dev libraries.
        .target(
            name: "CSystemd",
            linkerSettings: [.linkedLibrary("systemd")]
        ),
        .target(
            name: "COpenSSL",
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        // Yams (which bundles libyaml's C) reads the config and writes the manifests.
        .target(
            name: "AgentCore",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .target(
            name: "AgentRuntime",
            dependencies: ["AgentCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .target(
            name: "AgentPlatform",
            dependencies: ["AgentCore", "AgentRuntime", "CSystemd", "COpenSSL", "CCurl"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "MasterAgent",
            dependencies: [
                "AgentCore", "AgentRuntime", "AgentPlatform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "MasterAgentTests",
            dependencies: [
                "MasterAgent", "AgentCore", "AgentRuntime", "AgentPlatform",
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
