import DataPipeline
import Foundation
import XCTest

/// `TOMLText`: the table headers and array values toml++ 3.4.0 cannot refuse itself (its
/// debug build aborts, its release build runs into undefined behaviour) are refused with their
/// line and column; the same characters inside strings, comments and values are left alone.
final class TOMLTextTests: XCTestCase {
    private func refusal(_ text: String) -> String? {
        do {
            _ = try TOMLText.parse(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testHeadersWhoseNameCannotStartAKeyAreRefusedWithTheirPlace() {
        let message = "a table name must start with a letter, digit, '_', '-' or a quote"
        XCTAssertEqual(refusal("[é]\n"), "line 1, column 1: \(message)")
        XCTAssertEqual(refusal("a = 1\n\n  [[[arm]]]\n"), "line 3, column 3: \(message)")
        XCTAssertEqual(refusal("[a]\nx = 1\n[#]\n"), "line 3, column 1: \(message)")
        XCTAssertEqual(refusal("é = 2\n[ \t=]"), "line 2, column 1: \(message)")
        XCTAssertEqual(refusal("[\n"), "line 1, column 1: \(message)")
        XCTAssertEqual(refusal("\u{FEFF}[#"), "line 1, column 1: \(message)", "after a byte-order mark (found by the fuzzer)")
    }

    /// Found by the config target: toml++ asserts on a date, a space and a one-digit hour.
    func testADateWithAOneDigitHourIsRefused() throws {
        let message = "a date and time needs a two-digit hour after the space"
        XCTAssertEqual(refusal("n = 1979-05-27 9#"), "line 1, column 5: \(message)")
        XCTAssertEqual(refusal("a = 1\nn = [1, 1000-01-01 1]"), "line 2, column 9: \(message)")
        XCTAssertEqual(refusal("t = { n =1979-05-2& 9 }"), "line 1, column 10: \(message)")
        XCTAssertEqual(refusal("n =1000-\u{FFFD}0-00 9#"), "line 1, column 4: \(message)", "characters, not bytes")
        XCTAssertEqual(refusal("n =10\u{FFFD}0-01-0& 9#"), "line 1, column 4: \(message)")
        XCTAssertEqual(refusal("n = 1_000-01-0_1 9,"), "line 1, column 5: \(message)", "'_' is not counted")
        for valid in ["n = 1979-05-27 07:32:00", "n = 1979-05-27", "n = [1979-05-27, 2]", "s = \"1979-05-27 9\"", "n = 1 # 1979-05-27 9"] {
            XCTAssertNil(refusal(valid), valid)
        }
    }

    func testAClosingBraceWhereAnArrayValueShouldStartIsRefused() throws {
        let message = "'}' where an array value should start"
        XCTAssertEqual(refusal("a = [}]"), "line 1, column 6: \(message)")
        XCTAssertEqual(refusal("a = [1, {}, }]"), "line 1, column 13: \(message)")
        XCTAssertEqual(refusal("a = { b = [ # c\n  }] }"), "line 2, column 3: \(message)")
        let regression = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fuzz/regressions/config/closing-brace-where-an-array-value-starts").standardized
        let text = String(decoding: try Data(contentsOf: regression), as: UTF8.self)
        XCTAssertEqual(refusal(text)?.hasSuffix(message), true)
        let valid = try TOMLText.parse("a = [ {b = 1}, {c = [2, 3]}, ]\nd = { e = [] }\n")
        XCTAssertEqual(valid["a"]?.array?.count, 2)
    }

    func testTheRegressionInputsOfTheFuzzerAreRefused() throws {
        let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fuzz/regressions/config").standardized
        for name in ["table-name-starting-with-invalid-utf8", "triple-bracket-table-header"] {
            let text = String(decoding: try Data(contentsOf: regressions.appendingPathComponent(name)), as: UTF8.self)
            XCTAssertEqual(refusal(text), "line 4, column 1: a table name must start with a letter, digit, '_', '-' or a quote")
        }
    }

    func testBracketsInStringsCommentsAndValuesAreNotHeaders() throws {
        let text = """
            # [é] in a comment
            a = "[#" # [é]
            b = '''
            [é]
            '''
            c = \"\"\"
            \\\"\"\"
            [#]\"\"\"
            d = [
              [ "x" ],
              { e = 1 },
            ]
            ["quoted key"]
            f = 'g'
            [[t]]
            """
        let table = try TOMLText.parse(text)
        XCTAssertEqual(table["b"]?.string, "[é]\n")
        XCTAssertEqual(table["c"]?.string, "\"\"\"\n[#]")
        XCTAssertEqual(table["quoted key"]?.table?["f"]?.string, "g")
        XCTAssertNotNil(table["t"]?.array)
    }

    func testOtherSyntaxErrorsAreTOMLKitsWithTheirLine() {
        XCTAssertEqual(refusal("a = 1\nb = \n").map { $0.hasPrefix("line 2, column") }, true)
    }
}
