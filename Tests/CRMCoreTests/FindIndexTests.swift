@testable import CRMCore
import XCTest

/// The streaming gram builder against the plain definition: CJK runs as bigrams, other
/// letter and digit runs as trigrams, a run shorter than its gram whole, each gram once.
final class FindIndexTests: XCTestCase {
    func reference(_ texts: [String]) -> String {
        var seen = Set<String>()
        var out: [String] = []
        for text in texts {
            for (kind, chars) in FindIndex.runs(text) {
                let n = min(kind == .cjk ? 2 : 3, chars.count)
                for start in 0...(chars.count - n) {
                    let g = FindIndex.gram(chars[start..<(start + n)])
                    if seen.insert(g).inserted { out.append(g) }
                }
            }
        }
        return out.joined(separator: " ")
    }

    func testGramsOfTypicalRecords() {
        XCTAssertEqual(FindIndex.grams(of: ["王芳", "13800001111", ""]), "王芳 138 380 800 000 001 011 111")
        XCTAssertEqual(FindIndex.grams(of: ["Alice Wang", "a.w@x.io"]), "ali lic ice wan ang a w x io")
        XCTAssertEqual(FindIndex.grams(of: ["欧阳娜娜"]), "欧阳 阳娜 娜娜")
        XCTAssertEqual(FindIndex.grams(of: ["", ""]), "")
    }

    func testGramsMatchTheDefinition() {
        let samples: [[String]] = [
            ["王芳芳", "+86 138-0000-1111", "wang.fang@example.com"], ["ÉCOLE Ünïcödé", "İstanbul ß"],
            ["王a芳b1", "中文English混合123"], ["ｆｕｌｌ　ｗｉｄｔｈ １２３"], ["𠀀𠀁𠀂", "한국어 テスト"],
            ["a", "ab", "abc", "王"], ["aaaa aaaa", "王王王王"], ["—…", "  ", "\n\t"],
        ]
        for texts in samples { XCTAssertEqual(FindIndex.grams(of: texts), reference(texts), "\(texts)") }
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "B", "1", " ", ".", "王", "芳", "É", "ß", "-", "İ"]
        for _ in 0..<2000 {
            let texts = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                String((0..<Int.random(in: 0...9, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            }
            XCTAssertEqual(FindIndex.grams(of: texts), reference(texts), "\(texts)")
        }
    }
}
