import ArgumentParser
import Engine
import Foundation
import LanguageModels
import Runtime
import TrainingCore
import Tokenizer

/// `ddk init-model`: writes a randomly initialized model as a SwiftDDK checkpoint (for a
/// tiny test teacher), recording the tokenizer its ids belong to.
struct InitModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-model",
        abstract: "Write a seeded random Llama model as a checkpoint (config.json + model.safetensors).")

    @Option(help: "A Hugging Face style config.json giving the architecture (vocab_size may be omitted: the tokenizer's is used).")
    var config: String

    @Option(help: "GGUF file whose tokenizer the model uses (its identity and vocabulary size are recorded).")
    var tokenizerModel: String = defaultTeacherPath

    @Option(help: "Seed of the initialization.")
    var seed: UInt64 = 1

    @Option(help: "Output folder.")
    var out: String

    func run() throws {
        let tokenizer = try Tokenizer(ggufAt: tokenizerModel)
        guard var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as? [String: Any] else {
            throw ValidationError("\(config) is not a JSON object")
        }
        if object["vocab_size"] == nil { object["vocab_size"] = tokenizer.vocabularySize }
        let architecture = try JSONDecoder().decode(LlamaConfig.self, from: JSONSerialization.data(withJSONObject: object))
        guard architecture.vocabularySize == tokenizer.vocabularySize else {
            throw ValidationError("\(config): vocab_size \(architecture.vocabularySize) differs from the tokenizer's \(tokenizer.vocabularySize)")
        }
        let model = try LlamaModel(config: architecture, batchSize: 1, sequenceLength: 1, seed: seed)
        try Checkpoint.saveModel(parameters: model.parameters, layout: model.layout, to: URL(fileURLWithPath: out),
                                 metadata: [ModelSource.tokenizerIdentityKey: tokenizer.identity])
        print("init-model: \(architecture.parameterCount) parameters, seed \(seed) -> \(out)")
    }
}
