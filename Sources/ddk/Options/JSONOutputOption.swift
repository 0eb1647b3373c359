import ArgumentParser
import Foundation

/// `--json`: one JSON object on standard output instead of text. Every object printed is
/// an `Encodable` type whose property names, in snake_case, are the documented field names
/// (README, Commands).
struct JSONOutputOption: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON object on standard output.")
    var json = false
}

/// Prints `value` as one line of JSON with sorted keys.
func printJSON<Value: Encodable>(_ value: Value) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // The documented field names are the properties' names in snake_case (`meanNLL` → `mean_nll`).
    encoder.keyEncodingStrategy = .convertToSnakeCase
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
