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

    @OptionGroup var model: ModelAndTokenizerOptions
    @OptionGroup var input: TextInputOptions

    @Option(name: .long, help: "Window length in tokens (default: the model's context length).")
    var window: Int?

    @OptionGroup var output: JSONOutputOption

    /// `--json` output.
    struct Report: Encodable {
        var tokens: Int
        var predictedTokens: Int
        var perplexity: Double
        var meanNLL: Double
    }

    func validate() throws {
        if let window, window < 2 { throw ValidationError("--window must be at least 2") }
    }

    func run() throws {
        BLASThreads.set(1)
        let (source, tokenizer) = try model.open()
        let ids = try input.tokenIDs(tokenizer)
        guard ids.count >= 2 else { throw ValidationError("the text has \(ids.count) token(s); at least 2 are needed") }
        let contextLength = source.architecture.contextLength
        let length = min(window ?? contextLength, contextLength, ids.count)
        let result = try source.loadInference(1, length).perplexity(of: ids, window: length)
        if output.json {
            try printJSON(Report(tokens: result.tokens, predictedTokens: result.predictedTokens,
                                 perplexity: result.perplexity, meanNLL: result.meanNegativeLogLikelihood))
        } else {
            print("tokens: \(result.tokens) (\(result.predictedTokens) predicted, window \(length))")
            print("perplexity: \(String(format: "%.4f", result.perplexity))  mean NLL: \(String(format: "%.5f", result.meanNegativeLogLikelihood)) nats")
        }
    }
}
