import CRMCore
@testable import CRMShell
import XCTest

/// `crm man` is built from the verbs' help text: every verb is there, and the roff is safe.
final class ManPageTests: XCTestCase {
    let usage = """
        usage: crm [options]                 interactive shell
               crm man                       print the manual page

        options:
          --db PATH        database file
          -X               do not run the start-up file
        """

    func testEveryBuiltInVerbHasASection_withItsUsageAndAliases() {
        let page = ManPage.render(verbs: VerbRegistry.builtIn, usage: usage, version: "9.9")
        for verb in VerbRegistry.builtIn {
            XCTAssertTrue(page.contains("\n.SS \(ManPage.escape(verb.name))\n"), "no section for \(verb.name)")
            for line in verb.usage {
                XCTAssertTrue(page.contains(".B " + ManPage.escape(line) + "\n"), "\(verb.name): no usage line \(line)")
            }
            if !verb.aliases.isEmpty {
                XCTAssertTrue(page.contains("Also: " + ManPage.escape(verb.aliases.joined(separator: ", "))), verb.name)
            }
        }
        XCTAssertTrue(page.hasPrefix(".TH CRM 1 \"\" \"crm 9.9\""), page)
    }

    func testOptionsAndSynopsisComeFromTheUsageText() {
        let page = ManPage.render(verbs: [], usage: usage, version: "1")
        XCTAssertTrue(page.contains(".TP\n.B \\-\\-db PATH\ndatabase file\n"), page)
        XCTAssertTrue(page.contains(".TP\n.B \\-X\ndo not run the start\\-up file\n"), page)
        XCTAssertTrue(page.contains(".nf\ncrm [options]                 interactive shell\ncrm man"), page)
    }

    func testRoffEscaping_backslashesHyphensAndLeadingDots() {
        XCTAssertEqual(ManPage.escape("\\timing"), "\\etiming")
        XCTAssertEqual(ManPage.escape("--dry-run"), "\\-\\-dry\\-run")
        XCTAssertEqual(ManPage.escape(".lua files"), "\\&.lua files")
        XCTAssertEqual(ManPage.escape("'quoted"), "\\&'quoted")
    }

    func testDetailsKeepExamplesAsTheyAre() {
        let lines = ManPage.paragraphs("Prints a count.\n\nExamples:\n  count customer\n  count deal")
        XCTAssertEqual(lines, ["Prints a count.", ".PP", "Examples:", ".RS", ".nf", "count customer", "count deal", ".fi", ".RE"])
    }
}
