// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "crm",
    products: [
        .executable(name: "crm", targets: ["crm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        // C libraries from Debian packages, as thin system-library targets.
        .systemLibrary(
            name: "CEditline",
            path: "Sources/CEditline",
            providers: [.apt(["libedit-dev"])]),

        // Entities as data, the SQLite store, the query model, audit, results. No terminal.
        .target(
            name: "CRMCore",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),

        // REPL, command language, verbs, completion, renderers.
        .target(
            name: "CRMShell",
            dependencies: ["CRMCore", "CEditline"]),

        // main: flags and modes.
        .executableTarget(
            name: "crm",
            dependencies: ["CRMShell", "CRMCore"]),

        .target(
            name: "CRMTestSupport",
            dependencies: ["CRMCore", "CRMShell"],
            path: "Tests/CRMTestSupport"),
        .testTarget(name: "CRMCoreTests", dependencies: ["CRMCore", "CRMTestSupport"]),
        .testTarget(name: "CRMShellTests", dependencies: ["CRMShell", "CRMCore", "CRMTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["CRMCore", "CRMTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
