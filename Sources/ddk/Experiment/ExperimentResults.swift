import Foundation

/// The experiment's summary (`runs/NAME/results.json`, and `results.md`): per arm the
/// held-out perplexity of every domain as mean ± standard deviation over its seeds, the
/// mean over domains, the worst domain's student/teacher ratio, tokens and time, and
/// whether each arm's difference from the first arm exceeds the seed-to-seed spread.
struct ExperimentResults: Codable, Equatable {
    struct Domain: Codable, Equatable {
        var name: String
        var teacherPpl: Double
        var studentPplMean: Double
        var studentPplStd: Double
    }

    struct Arm: Codable, Equatable {
        var name: String
        var seeds: [UInt64]
        var domains: [Domain]
        /// Mean over domains of the held-out perplexity: mean and standard deviation over seeds.
        var meanPpl: Double
        var meanPplStd: Double
        /// The largest mean student/teacher ratio over the domains.
        var worstRatio: Double
        var tokens: Int
        var trainingSecondsMean: Double
        /// `mean_ppl` minus the first arm's, and whether |difference| > the sum of both spreads
        /// (nil when either arm has one seed: its spread is not known).
        var differenceFromFirst: Double
        var exceedsSpread: Bool?
    }

    var experiment: String
    var perplexityUnit: String
    var heldOutSequences: Int
    /// True when every run evaluated the same held-out and validation tokens and, within an
    /// arm, trained the same number of tokens.
    var sameEvaluationSets: Bool
    /// True when every run recorded the hash of its student's weights before step 1 and
    /// the runs of each seed share it (arms differ in their knob, not in where they start).
    var sameInitialization: Bool
    var arms: [Arm]

    init(experiment: String, heldOutSequences: Int, runs: [[ExperimentRunResult]], armNames: [String]) {
        self.experiment = experiment
        self.heldOutSequences = heldOutSequences
        let all = runs.flatMap { $0 }
        perplexityUnit = all.first?.perplexityUnit ?? "token"
        sameEvaluationSets = Set(all.map(\.heldOutHash)).count <= 1 && Set(all.map(\.validationHash)).count <= 1
            && Set(all.map(\.tokens)).count <= 1
        sameInitialization = all.allSatisfy { $0.initialWeightsHash != nil }
            && Dictionary(grouping: all, by: \.seed).values.allSatisfy { Set($0.map(\.initialWeightsHash)).count == 1 }
        var arms: [Arm] = []
        for (name, results) in zip(armNames, runs) {
            let domains = (results.first?.domains ?? []).indices.map { index in
                let values = results.map { $0.studentPpl[index] }
                return Domain(name: results[0].domains[index], teacherPpl: results[0].teacherPpl[index],
                              studentPplMean: Self.mean(values), studentPplStd: Self.standardDeviation(values))
            }
            let means = results.map(\.meanPpl)
            arms.append(Arm(name: name, seeds: results.map(\.seed), domains: domains, meanPpl: Self.mean(means),
                            meanPplStd: Self.standardDeviation(means),
                            worstRatio: domains.map { $0.studentPplMean / $0.teacherPpl }.max() ?? 0,
                            tokens: results.first?.tokens ?? 0,
                            trainingSecondsMean: Self.mean(results.map(\.trainingSeconds)),
                            differenceFromFirst: 0, exceedsSpread: nil))
        }
        if let first = arms.first {
            for index in arms.indices {
                arms[index].differenceFromFirst = arms[index].meanPpl - first.meanPpl
                guard index > 0, arms[index].seeds.count > 1, first.seeds.count > 1 else { continue }
                arms[index].exceedsSpread = abs(arms[index].differenceFromFirst) > arms[index].meanPplStd + first.meanPplStd
            }
        }
        self.arms = arms
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

    /// Sample standard deviation (0 for one value).
    static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }

    /// The table of `results.md`.
    var markdown: String {
        var lines = ["# Experiment \(experiment)", "",
                     "Held-out perplexity per \(perplexityUnit) (\(heldOutSequences) sequences per domain after DDK's), "
                     + "mean ± standard deviation over seeds. Same held-out and validation sets and tokens in every run: "
                     + (sameEvaluationSets ? "yes" : "NO") + ". Same student weights before step 1 in the runs of each seed: "
                     + (sameInitialization ? "yes" : "NO") + ".", "",
                     "| arm | seeds | mean ppl | Δ vs \(arms.first?.name ?? "first") | beyond spread | worst ratio | tokens | training s |",
                     "|---|---|---|---|---|---|---|---|"]
        for arm in arms {
            lines.append(String(format: "| %@ | %d | %.3f ± %.3f | %+.3f | %@ | %.3f | %d | %.0f |", arm.name, arm.seeds.count,
                                arm.meanPpl, arm.meanPplStd, arm.differenceFromFirst, arm.exceedsSpread.map { $0 ? "yes" : "no" } ?? "—",
                                arm.worstRatio, arm.tokens, arm.trainingSecondsMean))
        }
        guard let domainNames = arms.first?.domains.map(\.name) else { return lines.joined(separator: "\n") + "\n" }
        lines += ["", "| domain | teacher | " + arms.map(\.name).joined(separator: " | ") + " |",
                  "|---|---|" + String(repeating: "---|", count: arms.count)]
        for (index, name) in domainNames.enumerated() {
            let cells = arms.map { String(format: "%.3f ± %.3f", $0.domains[index].studentPplMean, $0.domains[index].studentPplStd) }
            lines.append("| \(name) | " + String(format: "%.3f", arms[0].domains[index].teacherPpl) + " | "
                         + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
