// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "crm",
    products: [
        .executable(name: "crm", targets: ["crm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        // Reading and writing the zip container of .xlsx files (needs zlib1g-dev).
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        // C libraries from Debian packages, as thin system-library targets.
        .systemLibrary(
            name: "CEditline",
            path: "Sources/CEditline",
            providers: [.apt(["libedit-dev"])]),
        .systemLibrary(
            name: "CLua",
            path: "Sources/CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]),
        // libpq (header from libpq-dev), opened with dlopen on first use so that crm's
        // start does not load it and the ~20 libraries behind it (Sources/CLibPQ/include).
        .target(
            name: "CLibPQ",
            path: "Sources/CLibPQ"),

        // Entities as data, the SQLite store, the query model, audit, results. No terminal.
        .target(
            name: "CRMCore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),

        // The Lua 5.4 embedding, the plugin loader and the `crm` API plugins see. No terminal.
        .target(
            name: "CRMLua",
            dependencies: ["CRMCore", "CLua"]),

        // REPL, command language, verbs, completion, renderers.
        .target(
            name: "CRMShell",
            dependencies: ["CRMCore", "CRMLua", "CEditline"]),

        // The PostgreSQL client: a small wrapper over libpq (connections, statements, COPY).
        .target(
            name: "CRMPostgres",
            dependencies: ["CRMCore", "CLibPQ"]),

        // main: flags and modes.
        .executableTarget(
            name: "crm",
            dependencies: ["CRMShell", "CRMCore", "CRMPostgres"]),

        // The in-process latency harness scripts/bench uses (p50/p99 of lookups, find, list).
        .executableTarget(
            name: "crm-bench",
            dependencies: ["CRMShell", "CRMCore", "CRMPostgres"]),

        // Fuzz targets: pure functions over bytes, shared by crm-fuzz and the replay test.
        .target(
            name: "CRMFuzzTargets",
            dependencies: ["CRMCore", "CRMShell"]),
        // The libFuzzer driver when built by scripts/fuzz (-sanitize=fuzzer -D CRM_LIBFUZZER);
        // a replay tool for saved inputs otherwise.
        .systemLibrary(
            name: "CLibFuzzer",
            path: "Sources/CLibFuzzer"),
        .executableTarget(
            name: "crm-fuzz",
            dependencies: ["CRMFuzzTargets", "CLibFuzzer"]),

        .target(
            name: "CRMTestSupport",
            dependencies: ["CRMCore", "CRMShell", "CRMLua", "CRMPostgres"],
            path: "Tests/CRMTestSupport"),
        .testTarget(name: "CRMLuaTests", dependencies: ["CRMLua", "CRMCore", "CRMShell", "CRMTestSupport"]),
        .testTarget(name: "CRMCoreTests", dependencies: ["CRMCore", "CRMTestSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "CRMShellTests", dependencies: ["CRMShell", "CRMCore", "CRMTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["CRMCore", "CRMTestSupport"]),
        .testTarget(name: "CRMPostgresTests", dependencies: ["CRMPostgres", "CRMCore", "CRMShell", "CRMTestSupport"]),
        .testTarget(name: "FuzzReplayTests", dependencies: ["CRMFuzzTargets"]),
    ],
    swiftLanguageModes: [.v5]
)
