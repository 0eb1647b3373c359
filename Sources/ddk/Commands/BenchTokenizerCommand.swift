import ArgumentParser
import Foundation
import Tokenizer

/// `ddk bench tokenizer`: single-thread encoding speed on real prose.
struct BenchTokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Encoding speed of the teacher's tokenizer on prose (one thread, cold pre-token cache).",
        discussion: """
            By default the text is every file under /usr/share/common-licenses (the GPL, \
            Apache, MPL, ... licence texts, about 300 KB), concatenated in name order. Each \
            run encodes it once with a freshly loaded tokenizer, so the pre-token cache \
            starts empty; the median run is reported. JSON fields: megabytes_per_second \
            (10^6 bytes), tokens_per_second, bytes, tokens, runs.
            """)

    @OptionGroup var tokenizer: TokenizerFileOption

    @Option(name: .long, help: "Text file to encode instead of the licence texts.")
    var file: String?

    @Option(name: .long, help: "Number of timed runs (the median is reported).")
    var runs: Int = 5

    @OptionGroup var output: JSONOutputOption

    /// `--json` output.
    struct Report: Encodable {
        var megabytesPerSecond: Double
        var tokensPerSecond: Int
        var bytes: Int
        var tokens: Int
        var runs: Int
    }

    func run() throws {
        let text = try file.map(readInputFile) ?? licenceTexts()
        let bytes = [UInt8](text)
        var seconds: [Double] = []
        var tokenCount = 0
        for _ in 0..<max(1, runs) {
            let tokenizer = try self.tokenizer.load()
            let clock = ContinuousClock()
            var ids: [Int32] = []
            let elapsed = try clock.measure {
                ids = try bytes.withUnsafeBufferPointer { try tokenizer.encode(utf8: $0) }
            }
            tokenCount = ids.count
            seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        let median = seconds.sorted()[seconds.count / 2]
        let megabytesPerSecond = Double(bytes.count) / median / 1e6
        let tokensPerSecond = Double(tokenCount) / median
        if output.json {
            try printJSON(Report(megabytesPerSecond: rounded(megabytesPerSecond, places: 2), tokensPerSecond: Int(tokensPerSecond),
                                 bytes: bytes.count, tokens: tokenCount, runs: seconds.count))
        } else {
            print("tokenizer: \(bytes.count) bytes → \(tokenCount) tokens, median of \(seconds.count) runs: "
                  + "\(fixed2(megabytesPerSecond)) MB/s, \(Int(tokensPerSecond)) tokens/s (one thread)")
        }
    }

    private func licenceTexts() throws -> Data {
        let directory = "/usr/share/common-licenses"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory), !names.isEmpty else {
            throw ValidationError("\(directory) is missing; pass --file with a prose text")
        }
        var data = Data()
        for name in names.sorted() {
            if let contents = FileManager.default.contents(atPath: directory + "/" + name) { data.append(contents) }
        }
        return data
    }

    private func fixed2(_ value: Double) -> String { String(format: "%.2f", value) }
}
