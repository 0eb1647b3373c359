import ArgumentParser
import Foundation
import Tokenizer

/// `ddk tokenize`: prints the token ids of a text under a GGUF file's tokenizer.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text under a GGUF file's own tokenizer (byte-level BPE or SentencePiece).",
        discussion: "JSON fields: ids.")

    @OptionGroup var tokenizer: TokenizerFileOption
    @OptionGroup var input: TextInputOptions
    @OptionGroup var output: JSONOutputOption

    /// `--json` output.
    struct Report: Encodable {
        var ids: [Int32]
    }

    func run() throws {
        let ids = try input.tokenIDs(try tokenizer.loadOwn())
        if output.json {
            try printJSON(Report(ids: ids))
        } else {
            print(ids.map(String.init).joined(separator: " "))
        }
    }
}
