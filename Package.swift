// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "master-agent",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "master-agent", targets: ["MasterAgent"]),
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
        // libyaml composes the config and emits the manifests (Yams is kept for the tests only, as an
        // independent reader, so the agent does not link Foundation through it).
        .target(
            name: "CYAML",
            linkerSettings: [.linkedLibrary("yaml")]
        ),
        .executableTarget(
            name: "MasterAgent",
            dependencies: [
                "CSystemd", "COpenSSL", "CCurl", "CYAML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "MasterAgentTests",
            dependencies: ["MasterAgent", .product(name: "Yams", package: "Yams")],
            exclude: ["Fixtures"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
