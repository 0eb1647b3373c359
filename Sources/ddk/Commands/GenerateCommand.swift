import ArgumentParser
import Engine
import Foundation
import LanguageModels
import Tokenizer

/// `ddk generate`: continues a prompt, streaming the text as it is produced.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a prompt with a model (GGUF or checkpoint), streaming the text.",
        discussion: "Greedy by default (--temperature 0); stops at the EOS token or after --max-tokens.")

    @OptionGroup var model: ModelAndTokenizerOptions

    @Option(name: .long, help: "The prompt (encoded as given, no BOS unless --bos).")
    var prompt: String

    @Flag(name: .long, help: "Prepend the BOS token to the prompt.")
    var bos = false

    @Option(name: .long, help: "Most tokens to generate.")
    var maxTokens: Int = 64

    @Option(name: .long, help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0

    @Option(name: .long, help: "Sample among the K most likely tokens only (0: all).")
    var topK: Int = 0

    @Option(name: .long, help: "Seed of the sampler.")
    var seed: UInt64 = 0

    func validate() throws {
        if maxTokens < 0 { throw ValidationError("--max-tokens must not be negative") }
        if temperature < 0 || !temperature.isFinite { throw ValidationError("--temperature must be 0 or positive") }
        if topK < 0 { throw ValidationError("--top-k must not be negative") }
    }

    func run() throws {
        BLASThreads.set(1)
        let (source, tokenizer) = try model.open()
        let promptIDs = try tokenizer.encode(prompt, addingBOS: bos)
        guard !promptIDs.isEmpty else { throw ValidationError("the prompt is empty") }
        let length = min(source.architecture.contextLength, promptIDs.count + maxTokens)
        let inference = try source.loadInference(1, length)
        FileHandle.standardOutput.write(Data(prompt.utf8))
        var pending: [UInt8] = []   // bytes of an incomplete UTF-8 character
        let stop: Set<Int32> = tokenizer.eosTokenID.map { [$0] } ?? []
        try inference.generate(prompt: promptIDs, maxTokens: maxTokens,
                               options: SamplingOptions(temperature: temperature, topK: topK, seed: seed),
                               stopTokens: stop) { id in
            if stop.contains(id) { return }
            pending += tokenizer.decodeBytes([id])
            let complete = completeUTF8PrefixLength(pending)
            if complete > 0 {
                FileHandle.standardOutput.write(Data(pending[..<complete]))
                pending.removeFirst(complete)
            }
        }
        if !pending.isEmpty { FileHandle.standardOutput.write(Data(String(decoding: pending, as: UTF8.self).utf8)) }
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}

/// Length of the longest prefix of `bytes` that does not end inside a UTF-8 character.
func completeUTF8PrefixLength(_ bytes: [UInt8]) -> Int {
    var index = bytes.count
    var back = 0
    while index > 0 && back < 3 && bytes[index - 1] & 0xC0 == 0x80 {
        index -= 1
        back += 1
    }
    guard index > 0 else { return bytes.count }
    let lead = bytes[index - 1]
    let needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
    return needed > back + 1 ? index - 1 : bytes.count
}
