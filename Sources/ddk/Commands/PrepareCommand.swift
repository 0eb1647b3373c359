import ArgumentParser
import DataPipeline
import Foundation
import Tokenizer

/// `ddk prepare`: tokenizes the domains of a manifest into train/validation
/// token shards and `domains.json` (see DatasetSummary for the format).
struct PrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Tokenize a domain manifest into train/validation token shards and domains.json.",
        discussion: """
        Each domain is tokenized with the teacher's tokenizer (domains in parallel), split \
        into train and validation by document with a fixed seed (validation = enough documents \
        for --validation-sequences sequences of --sequence-length + 1 tokens), and written as \
        <out>/<domain>/{train,validation}.shard plus <out>/domains.json. An output folder \
        prepared with another tokenizer is refused.
        """)

    @Option(help: "The domain manifest (TOML; see launch/configs/domains.example.toml).")
    var manifest: String = "data/corpus/domains.toml"

    @Option(help: "Output folder for the shards and domains.json.")
    var out: String = "data/shards"

    @Option(help: "Validation sequences per domain.")
    var validationSequences: Int = 64

    @Option(help: "T: training and validation sequences hold T+1 tokens.")
    var sequenceLength: Int = 256

    @Option(help: "Seed of the train/validation split.")
    var seed: UInt64 = 1234

    @OptionGroup var tokenizer: TokenizerFileOption

    @Option(help: "Domains tokenized at once (default: the number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Read at most this many MB of input per domain (documents in input order): a quick, small dataset.")
    var maxMbPerDomain: Double?

    @OptionGroup var output: JSONOutputOption

    func run() throws {
        let started = Date()
        let encoder = try tokenizer.load()
        let domainManifest = try DomainManifest(contentsOf: manifest)
        let limit = maxMbPerDomain.map { Int($0 * 1e6) } ?? Int.max
        let totalBytes = try domainManifest.domains.reduce(0) { $0 + min(limit, try DocumentSource(domain: $1).byteCount) }
        let printer = PreparationProgressPrinter(totalBytes: totalBytes)
        FileHandle.standardError.write(Data(
            "prepare: \(domainManifest.domains.count) domains, \(String(format: "%.1f", Double(totalBytes) / 1e6)) MB, tokenizer \(encoder.identity), \(threads) threads\n".utf8))
        let options = PreparationOptions(outputDirectory: out, sequenceLength: sequenceLength,
                                         validationSequences: validationSequences, seed: seed, parallelDomains: threads,
                                         maximumBytesPerDomain: maxMbPerDomain.map { Int($0 * 1e6) })
        let summary = try DatasetPreparer.prepare(manifest: domainManifest, encoder: encoder, options: options,
                                                  progress: { printer.report($0) })
        printer.finish()
        let seconds = Date().timeIntervalSince(started)
        let total = summary.domains.reduce(0) { $0 + $1.train.tokens + $1.validation.tokens }
        if output.json {
            try printJSON(Report(out: out, seconds: seconds, inputBytes: totalBytes, summary: summary))
        } else {
            print("domain            documents   train tokens   validation tokens")
            for domain in summary.domains {
                let name = domain.name.padding(toLength: max(16, domain.name.count), withPad: " ", startingAt: 0)
                print("\(name) \(pad(domain.documents, 10)) \(pad(domain.train.tokens, 14)) \(pad(domain.validation.tokens, 19))")
            }
            print("total \(total) tokens in \(String(format: "%.1f", seconds)) s -> \((out as NSString).appendingPathComponent(DatasetSummary.fileName))")
        }
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

extension PrepareCommand {
    /// `--json` output (field names as in the README).
    struct Report: Encodable {
        struct Domain: Encodable {
            var name: String
            var documents: Int
            var trainTokens: Int
            var validationTokens: Int
        }

        var out: String
        var seconds: Double
        var inputBytes: Int
        var tokenizerIdentity: String
        var vocabularySize: Int
        var totalTokens: Int
        var domains: [Domain]

        init(out: String, seconds: Double, inputBytes: Int, summary: DatasetSummary) {
            self.out = out
            self.seconds = seconds
            self.inputBytes = inputBytes
            tokenizerIdentity = summary.tokenizer.identity
            vocabularySize = summary.tokenizer.vocabularySize
            domains = summary.domains.map {
                Domain(name: $0.name, documents: $0.documents, trainTokens: $0.train.tokens, validationTokens: $0.validation.tokens)
            }
            totalTokens = domains.reduce(0) { $0 + $1.trainTokens + $1.validationTokens }
        }
    }
}

/// The project's tokenizer is the data pipeline's `TextEncoder` (it is `Sendable`
/// and already has `encode`, `vocabularySize`, `eosTokenID` and `identity`).
extension Tokenizer: TextEncoder {}
