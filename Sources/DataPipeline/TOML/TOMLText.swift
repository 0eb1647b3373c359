import TOMLKit

/// Every TOML file SwiftDDK reads (run configs, domain manifests, experiment plans, `--set`
/// values) is parsed here: TOMLKit, after refusing the two malformed constructs its toml++
/// (3.4.0, bundled by TOMLKit 0.6.0) cannot refuse itself, each of which breaks a
/// precondition of its parser (the debug build aborts, a release build runs into undefined
/// behaviour): a table header whose name starts with anything but a letter, digit, '_', '-'
/// or a quote (`[é]`, `[[[arm]]]`, `[#]`, `[` at the end of a line; fixed upstream after
/// 3.4.0, toml++ PR 301), and a `}` where an array value should start (`a = [1, }]`).
public enum TOMLText {
    /// The document as a table; a syntax error names its line and column.
    public static func parse(_ text: String) throws -> TOMLTable {
        if let problem = TOMLPreconditionScanner.firstProblem(in: text) {
            throw TOMLSyntaxError(line: problem.line, column: problem.column, message: problem.message)
        }
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw TOMLSyntaxError(line: error.source.begin.line, column: error.source.begin.column,
                                  message: error.description)
        }
    }
}

/// A TOML document that does not parse: where (1-based line and column) and why.
public struct TOMLSyntaxError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}
