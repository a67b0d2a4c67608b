/// The fuzz targets: one pure function per input surface, called by both the libFuzzer
/// entry point (`crm-fuzz`, built by `scripts/fuzz`) and the replay test in the normal suite,
/// so an input that once crashed is replayed through exactly the same code.
///
/// A target must not crash on any bytes. Errors a user would see (a syntax error, a bad
/// value) are fine; a broken invariant throws `FuzzFailure`, which the fuzzer turns into a crash.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `Lexer.tokenize`, `Lexer.needsContinuation`, the filter and `order by` parsers.
    case lexer
    /// Filters parsed, compiled to SQL and run against an in-memory store.
    case filter
    /// `CSVReader` from memory and from a file read in small chunks: the same records.
    case csv
    /// `ValueParser` for every field type and every core field, `Fixed`, `DateCodec`, `RelativeDate`.
    case values
    /// Command lines run by `Session.execute` on a fresh in-memory store, the output rendered.
    case commands

    /// Runs one input through the target.
    public func run(_ bytes: [UInt8]) throws {
        switch self {
        case .lexer: try LexerTarget.run(bytes)
        case .filter: try FilterTarget.run(bytes)
        case .csv: try CSVTarget.run(bytes)
        case .values: try ValuesTarget.run(bytes)
        case .commands: try CommandsTarget.run(bytes)
        }
    }
}

/// An invariant a target checks did not hold for an input.
public struct FuzzFailure: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Throws a `FuzzFailure` unless `condition` holds.
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) throws {
    if !condition() { throw FuzzFailure(message()) }
}

/// The input as text, the way the shell and the CSV reader see bytes (invalid UTF-8 replaced).
func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// The instant the targets treat as now (2026-11-22 10:00 UTC), so runs replay exactly.
let fuzzNow = 1_795_341_600
