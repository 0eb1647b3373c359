import ArgumentParser
import Foundation
import Tokenizer

/// `--text` or `--file`, and `--bos`: the token ids a command reads.
struct TextInputOptions: ParsableArguments {
    @Option(name: .long, help: "The text.")
    var text: String?

    @Option(name: .long, help: "File whose contents to read as the text.")
    var file: String?

    @Flag(name: .long, help: "Prepend the BOS token.")
    var bos = false

    func validate() throws {
        guard (text == nil) != (file == nil) else { throw ValidationError("give exactly one of --text and --file") }
    }

    /// The text's token ids, encoded as given (after BOS with `--bos`).
    func tokenIDs(_ tokenizer: any TextTokenizer) throws -> [Int32] {
        var ids: [Int32]
        switch (text, file) {
        case (let text?, nil):
            ids = try tokenizer.encode(text)
        case (nil, let file?):
            let data = try readInputFile(file)
            ids = try data.withUnsafeBytes { try tokenizer.encode(utf8: $0.bindMemory(to: UInt8.self)) }
        default:
            throw ValidationError("give exactly one of --text and --file")
        }
        if bos {
            guard let id = tokenizer.bosTokenID else { throw ValidationError("the tokenizer has no BOS token") }
            ids.insert(id, at: 0)
        }
        return ids
    }
}

/// Reads a whole file, or throws a one-line error naming it.
func readInputFile(_ path: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ValidationError("cannot read \(path)")
    }
    return data
}
