import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TrainingCore
import XCTest
@testable import ddk

/// `ddk report --plot` on a small metrics file: the three charts, well-formed, in RUN/plots.
final class ReportPlotTests: XCTestCase {
    private var runFolder = ""

    override func setUpWithError() throws {
        runFolder = FileManager.default.temporaryDirectory.appendingPathComponent("report-plot-\(UUID().uuidString)").path
        let log = try MetricsLog(path: (runFolder as NSString).appendingPathComponent("metrics.jsonl"))
        try log.append(.run(RunRecord(name: "tiny <run>", config: "", configHash: "0", worldSize: 1, teacherRanks: [],
                                      studentRanks: [0], hostnames: ["h"], versions: [:], startStep: 0)))
        try log.append(.ddk(Self.evaluation(step: 0, ppl: [400, 90], before: [0.5, 0.5], after: [0.8, 0.2])))
        for step in 0..<4 {
            try log.append(.step(StepRecord(step: step, loss: 9 - Double(step), components: ["ce": 8 - Double(step), "kd": 3],
                                            lr: 1e-3, gradNorm: 1, tokensPerSecond: 1, stepSeconds: 1,
                                            teacherWaitSeconds: 0, allreduceSeconds: 0)))
        }
        try log.append(.ddk(Self.evaluation(step: 4, ppl: [40, 30], before: [0.8, 0.2], after: [0.3, 0.7])))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: runFolder)
    }

    func testPlotWritesTheThreeChartsAsWellFormedSVG() throws {
        var command = try ReportCommand.parseAsRoot(["--run", runFolder, "--plot"])
        try command.run()
        for name in ["loss", "ratios", "weights"] {
            let path = (runFolder as NSString).appendingPathComponent("plots/\(name).svg")
            let data = try XCTUnwrap(FileManager.default.contents(atPath: path), "\(name).svg missing")
            let parser = XMLParser(data: data)
            XCTAssertTrue(parser.parse(), "\(name).svg: \(String(describing: parser.parserError))")
            XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("tiny &lt;run&gt;"), "\(name).svg names the run")
        }
    }

    func testChartsHoldTheRunsFigures() throws {
        let plots = RunPlots(records: try MetricsLog.read(path: (runFolder as NSString).appendingPathComponent("metrics.jsonl")),
                             fallbackName: "unused")
        XCTAssertEqual(plots.lossChart.series.map(\.name), ["loss (total)", "ce", "kd"])
        XCTAssertEqual(plots.lossChart.series[0].points.map(\.y), [9, 8, 7, 6])
        let ratios = plots.ratioChart.series
        XCTAssertEqual(ratios.map(\.name), ["alpha", "beta"])
        XCTAssertEqual(ratios[0].points.map(\.y), [40, 4])
        XCTAssertEqual(ratios[1].points.map(\.x), [0, 4])
        // The weights as steps: after the first evaluation, then before and after the second.
        let weights = plots.weightChart
        XCTAssertEqual(weights.x, [0, 4, 4])
        XCTAssertEqual(weights.layers.map(\.values), [[0.8, 0.8, 0.3], [0.2, 0.2, 0.7]])
    }

    private static func evaluation(step: Int, ppl: [Double], before: [Double], after: [Double]) -> DDKRecord {
        let names = ["alpha", "beta"]
        return DDKRecord(step: step, mode: .smooth, alpha: 0.5, domains: names.indices.map {
            .init(name: names[$0], studentPpl: ppl[$0], teacherPpl: 10, weightBefore: before[$0], weightAfter: after[$0])
        })
    }
}
