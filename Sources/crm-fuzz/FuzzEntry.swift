import CRMFuzzTargets
import Foundation
#if CRM_LIBFUZZER
import CLibFuzzer
#endif

/// `crm-fuzz`. Built by scripts/fuzz (`-sanitize=fuzzer -D CRM_LIBFUZZER`) it is a libFuzzer
/// binary: `CRM_FUZZ_TARGET=lexer crm-fuzz [libFuzzer flags] CORPUS…`. In a normal build,
/// `crm-fuzz TARGET FILE|FOLDER…` replays inputs through a target, to reproduce a crash
/// without the fuzzer (under a debugger, say).
@main
enum FuzzMain {
    static func main() {
        #if CRM_LIBFUZZER
        guard fuzzTarget != nil else { usage("set CRM_FUZZ_TARGET to one of: \(names)") }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
        #else
        replay(Array(CommandLine.arguments.dropFirst()))
        #endif
    }

    static let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")

    static func usage(_ message: String) -> Never {
        FileHandle.standardError.write(Data("crm-fuzz: \(message)\n".utf8))
        exit(2)
    }

    static func replay(_ args: [String]) {
        guard let name = args.first, let target = FuzzTarget(rawValue: name), args.count > 1 else {
            usage("usage: crm-fuzz TARGET FILE|FOLDER… (targets: \(names))")
        }
        var failed = false
        for path in args.dropFirst() {
            for file in files(at: path) {
                print(file)
                do {
                    try target.run(Array(FileManager.default.contents(atPath: file) ?? Data()))
                } catch {
                    print("  \(error)")
                    failed = true
                }
            }
        }
        exit(failed ? 1 : 0)
    }

    static func files(at path: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { path + "/" + $0 }
    }
}

#if CRM_LIBFUZZER
/// The target CRM_FUZZ_TARGET names, read once.
let fuzzTarget = FuzzTarget(rawValue: ProcessInfo.processInfo.environment["CRM_FUZZ_TARGET"] ?? "")

/// libFuzzer calls this for every input (from `LLVMFuzzerRunDriver` above, or from its own
/// main, which the fuzzer runtime links in too). A broken invariant is a crash to the fuzzer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let target = fuzzTarget else { FuzzMain.usage("set CRM_FUZZ_TARGET to one of: \(FuzzMain.names)") }
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try target.run(bytes)
    } catch {
        fatalError("\(target.rawValue): \(error)")
    }
    return 0
}
#endif
