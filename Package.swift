// swift-tools-version:6.1
import PackageDescription

// The release `crm` links the Swift runtime and Foundation statically: the dynamic loader
// then maps 9 system libraries instead of 25 and resolves far fewer symbols, which halves
// the CPU time of a short command (`crm -c 'count customer'`: 26.6 -> 13.5 ms task-clock,
// `crm --version` 13.7 -> 6.2 ms). It also needs no Swift toolchain libraries at run time.
// The objects are compiled as usual, so the Foundation archives and what they need (ICU,
// CoreFoundation, dispatch) are named here, in one group because they refer to each other.
let staticSwiftRuntime: [LinkerSetting] = [
    .unsafeFlags([
        "-static-stdlib",
        "-Xlinker", "--start-group",
        "-lFoundation", "-lCoreFoundation", "-lFoundationInternationalization",
        "-lFoundationEssentials", "-l_FoundationICU", "-l_FoundationCollections",
        "-l_FoundationCShims", "-lswiftSynchronization", "-lswiftDispatch", "-ldispatch",
        "-lBlocksRuntime",
        "-Xlinker", "--end-group",
        "-lstdc++",
    ], .when(platforms: [.linux], configuration: .release)),
]

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
            dependencies: ["CRMShell", "CRMCore", "CRMPostgres"],
            linkerSettings: staticSwiftRuntime),

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
