import CRMTestSupport
import Foundation
import XCTest

/// The exams plugin through the built binary: enabling it, a registration refused outside
/// the session's window (nothing written), an ID card refused naming the wrong character,
/// `exams graduate` refusing with what is missing and then recording, a report as CSV.
/// The sandbox pins the clock at 2026-11-22 (CRM_NOW).
final class ExamsPluginTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    /// A major needing two courses (8 credits), a session open now and one opening in
    /// January, and one candidate.
    func setUpOffice() throws {
        let r = try sandbox.crm(commands:
            "plugin enable exams",
            "add major code=A040107 name=小学教育 category=teacher level=bachelor credits=8",
            "add course code=00429 name=教育学(一) credits=4",
            "add course code=00465 name=心理卫生与心理辅导 credits=4",
            "add requirement major=小学教育 course=教育学(一)",
            "add requirement major=小学教育 course=心理卫生与心理辅导",
            "add session name=2026年12月 exam_date=2026-12-12 opens=2026-11-01 closes=2026-11-30 fee=30",
            "add session name=2027年4月 exam_date=2027-04-10 opens=2027-01-05 closes=2027-01-20 fee=30",
            "add customer name=王芳 city=连云港 id_card=11010519491231002x major=小学教育")
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.hasPrefix("enabled exams\n"), r.stdout)
        XCTAssertEqual(try sandbox.crm(commands: "count customer where id_card = 11010519491231002X").stdout, "1\n",
                       "the check letter is stored upper-case")
    }

    func testRegistrationOutsideTheWindowIsRefusedAndWritesNothing() throws {
        try setUpOffice()
        let refused = try sandbox.crm(commands: "add registration candidate=王芳 session=2027年4月 course=教育学(一)")
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.contains(
            "rule 'registration window' (plugin exams) refused create registration: registration for 2027年4月 is open "
            + "2027-01-05 to 2027-01-20 (both days included); today is 2026-11-22"), refused.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count registration").stdout, "0\n")
        // The window's first day, with the clock moved there.
        let opening = try sandbox.crm(commands: "add registration candidate=王芳 session=2027年4月 course=教育学(一)",
                                      environment: ["CRM_NOW": "2027-01-05T08:00:00Z"])
        XCTAssertEqual(opening.status, 0, "\(opening)")
        XCTAssertEqual(try sandbox.crm(commands: "count registration").stdout, "1\n")
    }

    func testIdCardRefusalNamesTheWrongCharacter() throws {
        try setUpOffice()
        let r = try sandbox.crm(commands: "add customer name=李娜 id_card=110105194912310021")
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("ID card number 110105194912310021: character 18 (the check digit) is '1' but the first 17 digits give 'X'"),
                      r.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count customer").stdout, "1\n")
    }

    func testGraduateRefusesWithWhatIsMissing_thenRecords_andPassRatesAsCSV() throws {
        try setUpOffice()
        let season = try sandbox.crm(commands:
            "add registration candidate=王芳 session=2026年12月 course=教育学(一) fee=30 status=admitted",
            "add registration candidate=王芳 session=2026年12月 course=心理卫生与心理辅导 fee=30 status=admitted",
            "add result candidate=王芳 session=2026年12月 course=教育学(一) score=55",
            "add result candidate=王芳 session=2026年12月 course=心理卫生与心理辅导 score=80")
        XCTAssertEqual(season.status, 0, "\(season)")

        let refused = try sandbox.crm(commands: "exams graduate 王芳")
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.contains(
            "王芳 (customer 1) cannot graduate in 小学教育 yet: 1 required course not passed: 00429 教育学(一); credits 4 of 8 (4 short)"),
            refused.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count graduation").stdout, "0\n")

        let csv = try sandbox.crm(commands: "report exams-pass-rates", options: ["--format", "csv"])
        XCTAssertEqual(csv.status, 0, "\(csv)")
        XCTAssertEqual(csv.stdout, "code,course,sat,passed,rate\n00429,教育学(一),1,0,0.0\n00465,心理卫生与心理辅导,1,1,100.0\n")

        // The retake in January's window, passed: now the candidate graduates.
        let retake = try sandbox.crm(commands:
            "add registration candidate=王芳 session=2027年4月 course=教育学(一) fee=30 status=admitted",
            environment: ["CRM_NOW": "2027-01-20T15:00:00Z"])
        XCTAssertEqual(retake.status, 0, "\(retake)")
        XCTAssertEqual(try sandbox.crm(commands: "add result candidate=王芳 session=2027年4月 course=教育学(一) score=72").status, 0)
        let graduated = try sandbox.crm(commands: "exams graduate 王芳")
        XCTAssertEqual(graduated.status, 0, "\(graduated)")
        XCTAssertEqual(graduated.stdout, "王芳 (customer 1) graduated in 小学教育 with 8 credits on 2026-11-22 (graduation 1)\n")
        let rates = try sandbox.crm(commands: "report exams-pass-rates by=session", options: ["--format", "csv"])
        XCTAssertEqual(rates.stdout, "session,exam_date,sat,passed,rate\n2026年12月,2026-12-12,2,1,50.0\n2027年4月,2027-04-10,1,1,100.0\n")
    }
}
