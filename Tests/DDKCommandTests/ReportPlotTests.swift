import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TrainingCore
import XCTest

/// `ddk report --plot` (the built binary) on a small metrics file: three well-formed SVG
/// charts in RUN/plots, listed by `--json`.
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
        struct PlotReport: Decodable {
            struct File: Decodable { var name: String; var path: String }
            var run: String
            var plots: [File]
        }
        let output = try Self.ddk(["report", "--run", runFolder, "--plot", "--json"])
        let report = try JSONDecoder().decode(PlotReport.self, from: Data(output.utf8))
        XCTAssertEqual(report.run, "tiny <run>")
        XCTAssertEqual(report.plots.map(\.name), ["loss", "ratios", "weights"])
        for file in report.plots {
            XCTAssertEqual(file.path, (runFolder as NSString).appendingPathComponent("plots/\(file.name).svg"))
            let data = try XCTUnwrap(FileManager.default.contents(atPath: file.path), "\(file.name).svg missing")
            let parser = XMLParser(data: data)
            XCTAssertTrue(parser.parse(), "\(file.name).svg: \(String(describing: parser.parserError))")
            let text = String(decoding: data, as: UTF8.self)
            XCTAssertTrue(text.contains("tiny &lt;run&gt;"), "\(file.name).svg names the run, escaped")
        }
        let weights = try String(contentsOfFile: report.plots[2].path, encoding: .utf8)
        XCTAssertTrue(weights.contains(">alpha</text>") && weights.contains(">beta</text>"), "the legend names the domains")
        // alpha's band as steps (plot area x 84...750, y 476...48 for weight 0...1): 0.8 from step
        // 0 to 4, then 0.3 at step 4, back along zero.
        XCTAssertTrue(weights.contains("points=\"84,133.6 750,133.6 750,347.6 750,476 750,476 84,476\""), weights)
    }

    /// Runs the `ddk` built next to this test bundle; returns its standard output.
    private static func ddk(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = productsFolder.appendingPathComponent("ddk")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "ddk \(arguments.joined(separator: " "))")
        return String(decoding: output, as: UTF8.self)
    }

    private static var productsFolder: URL {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        #endif
        return Bundle.main.bundleURL
    }

    private static func evaluation(step: Int, ppl: [Double], before: [Double], after: [Double]) -> DDKRecord {
        let names = ["alpha", "beta"]
        return DDKRecord(step: step, mode: .smooth, alpha: 0.5, domains: names.indices.map {
            .init(name: names[$0], studentPpl: ppl[$0], teacherPpl: 10, weightBefore: before[$0], weightAfter: after[$0])
        })
    }
}
