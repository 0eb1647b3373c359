import ArgumentParser
import Engine
import Foundation
import LanguageModels

/// `ddk perplexity`: how well a model (GGUF or checkpoint) predicts a text.
struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Token count and perplexity of a text under a model.",
        discussion: """
            The text is scored exactly as given (no BOS unless --bos): every token from the \
            second on is predicted from its prefix. Texts longer than the window are cut into \
            windows overlapping by one token. JSON fields: tokens, predicted_tokens, perplexity, \
            mean_nll (nats).
            """)

    @Option(name: .long, help: "GGUF file or SwiftDDK checkpoint directory.")
    var model: String = defaultTeacherPath

    @Option(name: .long, help: "GGUF file whose tokenizer a checkpoint uses.")
    var tokenizer: String = defaultTeacherPath

    @Option(name: .long, help: "Text to score.")
    var text: String?

    @Option(name: .long, help: "File whose contents to score.")
    var file: String?

    @Flag(name: .long, help: "Prepend the BOS token.")
    var bos = false

    @Option(name: .long, help: "Window length in tokens (default: the model's context length).")
    var window: Int?

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard (text == nil) != (file == nil) else { throw ValidationError("give exactly one of --text and --file") }
        if let window, window < 2 { throw ValidationError("--window must be at least 2") }
    }

    func run() throws {
        BLASThreads.set(1)
        let files = try ModelSource(path: model)
        let tokenizer = try files.tokenizer(checkpointTokenizer: self.tokenizer)
        var ids: [Int32]
        if let text {
            ids = try tokenizer.encode(text)
        } else {
            let data = try readInputFile(file!)
            ids = try data.withUnsafeBytes { try tokenizer.encode(utf8: $0.bindMemory(to: UInt8.self)) }
        }
        if bos {
            guard let id = tokenizer.bosTokenID else { throw ValidationError("the tokenizer has no BOS token") }
            ids.insert(id, at: 0)
        }
        guard ids.count >= 2 else { throw ValidationError("the text has \(ids.count) token(s); at least 2 are needed") }
        let length = min(window ?? files.config.maxPositionEmbeddings, files.config.maxPositionEmbeddings, ids.count)
        let inference = try files.load(1, length)
        let result = try inference.perplexity(of: ids, window: length)
        if json {
            print("{\"tokens\": \(result.tokens), \"predicted_tokens\": \(result.predictedTokens), "
                  + "\"perplexity\": \(result.perplexity), \"mean_nll\": \(result.meanNegativeLogLikelihood)}")
        } else {
            print("tokens: \(result.tokens) (\(result.predictedTokens) predicted, window \(length))")
            print("perplexity: \(String(format: "%.4f", result.perplexity))  mean NLL: \(String(format: "%.5f", result.meanNegativeLogLikelihood)) nats")
        }
    }
}

/// The teacher GGUF: $DDK_TEACHER_GGUF, else the path launch/fetch-teacher writes.
let defaultTeacherPath = ProcessInfo.processInfo.environment["DDK_TEACHER_GGUF"]
    ?? "data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf"
