import ArgumentParser
import Foundation
import Tokenizer

/// `ddk tokenize`: prints the token ids of a text under a GGUF file's tokenizer.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text (SmolLM2 byte-level BPE from a GGUF file).")

    @Option(name: .long, help: "GGUF file holding the tokenizer.")
    var model: String = defaultTeacherPath

    @Option(name: .long, help: "Text to tokenize.")
    var text: String?

    @Option(name: .long, help: "File whose contents to tokenize.")
    var file: String?

    @Flag(name: .long, help: "Print one JSON object {\"ids\": [...]} instead of plain ids.")
    var json = false

    func validate() throws {
        guard (text == nil) != (file == nil) else {
            throw ValidationError("give exactly one of --text and --file")
        }
    }

    func run() throws {
        let tokenizer = try Tokenizer(ggufAt: model)
        let ids: [Int32]
        if let text {
            ids = try tokenizer.encode(text)
        } else {
            let data = try readInputFile(file!)
            ids = try data.withUnsafeBytes { try tokenizer.encode(utf8: $0.bindMemory(to: UInt8.self)) }
        }
        if json {
            print("{\"ids\": [" + ids.map(String.init).joined(separator: ", ") + "]}")
        } else {
            print(ids.map(String.init).joined(separator: " "))
        }
    }
}

/// Reads a whole file, or throws a one-line error naming it.
func readInputFile(_ path: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ValidationError("cannot read \(path)")
    }
    return data
}
