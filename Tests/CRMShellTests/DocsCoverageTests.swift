import CRMCore
@testable import CRMShell
import CRMTestSupport
import Foundation
import XCTest

/// Keeps `docs/commands.md` and `help` in step with the verb registry: every verb the
/// shell knows has a `### <verb>` section in the reference and a non-empty help page.
final class DocsCoverageTests: XCTestCase {
    // MARK: helpers

    /// `docs/commands.md` at the package root, found from this file's path
    /// (`Tests/CRMShellTests/DocsCoverageTests.swift`).
    static let commandsDoc = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // CRMShellTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // package root
        .appendingPathComponent("docs/commands.md")

    struct MissingDoc: Error, CustomStringConvertible {
        var path: String
        var description: String { "cannot read docs/commands.md at \(path)" }
    }

    func makeSession() throws -> Session {
        Session(store: try TestSupport.memoryStore())
    }

    func commandsDocText() throws -> String {
        let path = Self.commandsDoc.path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw MissingDoc(path: path)
        }
        return text
    }

    /// The text of every `### ` heading in a Markdown document, trimmed.
    static func level3Headings(in markdown: String) -> Set<String> {
        var headings = Set<String>()
        var inFence = false
        for raw in markdown.components(separatedBy: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") { inFence.toggle(); continue }
            if !inFence, line.hasPrefix("### ") {
                headings.insert(String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces))
            }
        }
        return headings
    }

    /// The verbs with no `### <verb>` heading, in registry order.
    static func undocumentedVerbs(_ verbs: [String], in markdown: String) -> [String] {
        let headings = level3Headings(in: markdown)
        return verbs.filter { !headings.contains($0) }
    }

    /// What `help <verb>` prints, through the same path a user's command takes.
    func helpText(_ verb: String, _ session: Session) throws -> String {
        guard case .message(let text) = try session.execute("help \(verb)") else {
            XCTFail("help \(verb) did not return a message")
            return ""
        }
        return text
    }

    // MARK: docs/commands.md

    func testEveryRegisteredVerb_hasAHeadingInCommandsDoc() throws {
        let session = try makeSession()
        let names = session.verbs.names
        XCTAssertFalse(names.isEmpty, "the verb registry is empty")
        let missing = Self.undocumentedVerbs(names, in: try commandsDocText())
        XCTAssertEqual(missing, [], "verbs without a '### <verb>' section in docs/commands.md: \(missing.joined(separator: ", "))")
    }

    func testBuiltInVerbs_areTheOnesTheSessionUses() throws {
        // The coverage test above checks the session's registry; make sure that is the
        // full built-in list and not an empty or partial one.
        let session = try makeSession()
        XCTAssertEqual(session.verbs.names, VerbRegistry.builtIn.map(\.name))
    }

    func testUndocumentedVerbs_findsAVerbWithoutHeading() {
        let doc = """
            # Commands
            ### add
            text
            ```
            ### show
            ```
            ### listing
            """
        // `show` only appears inside a code fence and `listing` is not `list`.
        XCTAssertEqual(Self.undocumentedVerbs(["add", "show", "list"], in: doc), ["show", "list"])
        XCTAssertEqual(Self.undocumentedVerbs(["add"], in: doc), [])
    }

    // MARK: help

    func testHelpForEveryVerb_isNonEmptyAndShowsItsUsage() throws {
        let session = try makeSession()
        for verb in session.verbs.verbs {
            let text = try helpText(verb.name, session)
            XCTAssertFalse(text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "help \(verb.name) is empty")
            XCTAssertTrue(text.hasPrefix(verb.name + " — "), "help \(verb.name) should start with the verb's name: \(text)")
            for line in verb.usage {
                XCTAssertTrue(text.contains(line), "help \(verb.name) does not show its usage line '\(line)'")
            }
            XCTAssertFalse(verb.summary.isEmpty, "\(verb.name) has no summary for the help overview")
            XCTAssertFalse(verb.details.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                           "\(verb.name) has no details for help \(verb.name)")
        }
    }

    func testHelpOverview_listsEveryVerb() throws {
        let session = try makeSession()
        guard case .message(let text) = try session.execute("help") else {
            return XCTFail("help did not return a message")
        }
        let listed = Set(text.components(separatedBy: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        })
        for name in session.verbs.names {
            XCTAssertTrue(listed.contains(name), "help does not list \(name)")
        }
    }
}
