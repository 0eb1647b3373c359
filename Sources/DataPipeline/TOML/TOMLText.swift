import TOMLKit

/// Every TOML file SwiftDDK reads (run configs, domain manifests, experiment plans, `--set`
/// values) is parsed here: TOMLKit, after refusing the one malformed construct its toml++
/// (3.4.0, bundled by TOMLKit 0.6.0) cannot refuse itself. A table header whose name starts
/// with anything but a letter, digit, '_', '-' or a quote (`[é]`, `[[[arm]]]`, `[#]`, `[` at
/// the end of a line) breaks a precondition of toml++'s key parser: the debug build aborts,
/// a release build runs into undefined behaviour (fixed upstream after 3.4.0, toml++ PR 301).
public enum TOMLText {
    /// The document as a table; a syntax error names its line and column.
    public static func parse(_ text: String) throws -> TOMLTable {
        if let header = TableHeaderScanner.firstMalformedHeader(in: text) {
            throw TOMLSyntaxError(line: header.line, column: header.column,
                                  message: "a table name must start with a letter, digit, '_', '-' or a quote")
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
