import Foundation

/// One finished run of an arm (`RUN/result.json`): what it trained and its held-out figures.
/// JSON field names are an interface (README): the properties' names in snake_case.
struct ExperimentRunResult: Codable, Equatable {
    var arm: String
    var seed: UInt64
    var runDirectory: String
    var steps: Int
    /// Student tokens trained: steps × global batch × T.
    var tokens: Int
    /// Σ step seconds of the run (its metrics.jsonl; a resumed run counts each step once).
    var trainingSeconds: Double
    /// How the student started (`student.init` and its checkpoint or sizes).
    var studentInitialization: String
    /// The hash of the student's weights before step 1, from the evaluated checkpoint's run
    /// state (nil for a checkpoint written before runs recorded it).
    var initialWeightsHash: String?
    /// Hashes of DDK's validation tokens and of the held-out tokens (equal across arms).
    var validationHash: String
    var heldOutHash: String
    /// `token` or `byte`.
    var perplexityUnit: String
    var domains: [String]
    var teacherPpl: [Double]
    var studentPpl: [Double]

    static let fileName = "result.json"

    /// The run's `result.json` when it was evaluated after `steps` steps (the plan's budget).
    static func read(runDirectory: String, steps: Int) -> ExperimentRunResult? {
        let path = (runDirectory as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return (try? decoder.decode(ExperimentRunResult.self, from: data)).flatMap { $0.steps == steps ? $0 : nil }
    }

    /// The encoder of the experiment's JSON files (snake_case keys, stable order).
    static func fileEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }

    func write() throws {
        try Self.fileEncoder().encode(self).write(to: URL(fileURLWithPath: (runDirectory as NSString).appendingPathComponent(Self.fileName)),
                                       options: .atomic)
    }

    /// The mean of the domains' perplexities.
    var meanPpl: Double { studentPpl.reduce(0, +) / Double(max(studentPpl.count, 1)) }
}
