import DataPipeline
import Foundation
import TrainingCore
import XCTest

/// The pieces of `--resume` that need no MPI: the run state file, the `latest` pointer,
/// and the metrics file cut back to the checkpoint's step. (Resume end to end under
/// mpirun: Tests/Distill/resume.sh.)
final class ResumeStateTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func state(step: Int) throws -> RunState {
        var history = WeightHistory(initial: try DomainWeights([0.5, 0.5]))
        try history.set(try DomainWeights([0.8, 0.2]), fromStep: 4)
        var cursor = SamplerCursor(domainCount: 2)
        cursor.step = step
        cursor.served = [UInt64(4 * step), UInt64(2 * step)]  // one global batch of 6 per step, as the sampler serves
        return RunState(step: step, tokensSeen: step * 6 * 32, configHash: "00ff", seed: 7, globalBatchSequences: 6,
                        sequenceLength: 32, studentCount: 2, domainNames: ["a", "b"], samplerCursor: cursor,
                        weightHistory: history, intervalSteps: 4)
    }

    func testRunStateRoundTripsAndGivesTheWeightsInForce() throws {
        let saved = try state(step: 6)
        try saved.encoded().write(to: folder.appendingPathComponent(RunState.fileName))
        let loaded = try RunState.load(from: folder)
        XCTAssertEqual(loaded, saved)
        XCTAssertEqual(loaded.currentWeights, [0.8, 0.2])
        XCTAssertEqual(try state(step: 3).currentWeights, [0.5, 0.5])
        let text = try String(contentsOf: folder.appendingPathComponent(RunState.fileName), encoding: .utf8)
        XCTAssertTrue(text.contains("\"sampler_cursor\"") && text.contains("\"weight_history\"") && text.contains("\"from_step\""))
    }

    func testAnotherFormatIsRefusedWithOneLine() throws {
        var json = String(decoding: try state(step: 6).encoded(), as: UTF8.self)
        json = json.replacingOccurrences(of: RunState.formatName, with: "swiftddk-run-state/0")
        try json.write(to: folder.appendingPathComponent(RunState.fileName), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunState.load(from: folder)) { error in
            XCTAssertTrue("\(error)".contains("format 'swiftddk-run-state/0'"), "\(error)")
        }
        XCTAssertThrowsError(try RunState.load(from: folder.appendingPathComponent("missing"))) { error in
            XCTAssertTrue("\(error)".contains("cannot be read"), "\(error)")
        }
    }

    func testLatestNamesTheNewestCompleteFolder() throws {
        let checkpoints = folder.appendingPathComponent("checkpoints")
        XCTAssertThrowsError(try TrainingCheckpoint.resolve("latest", runDirectory: folder.path)) { error in
            XCTAssertTrue("\(error)".contains("no complete checkpoint"), "\(error)")
        }
        XCTAssertNil(try TrainingCheckpoint.resolve("auto", runDirectory: folder.path))
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        try "step-6\n".write(to: checkpoints.appendingPathComponent(TrainingCheckpoint.latestFileName), atomically: true, encoding: .utf8)
        XCTAssertEqual(try TrainingCheckpoint.resolve("latest", runDirectory: folder.path)?.lastPathComponent, "step-6")
        XCTAssertEqual(try TrainingCheckpoint.resolve("auto", runDirectory: folder.path)?.lastPathComponent, "step-6")
        XCTAssertEqual(try TrainingCheckpoint.resolve("/x/step-2", runDirectory: folder.path)?.path, "/x/step-2")
    }

    func testMetricsAreCutBackToTheCheckpointAndATornLineIsDropped() throws {
        let path = folder.appendingPathComponent("metrics.jsonl").path
        let lines = [
            #"{"kind":"run","start_step":0}"#, #"{"kind":"ddk","step":0}"#, #"{"kind":"step","step":0}"#,
            #"{"kind":"step","step":1}"#, #"{"kind":"ddk","step":2}"#, #"{"kind":"step","step":2}"#,
            #"{"kind":"step","st"#,
        ]
        try (lines.joined(separator: "\n")).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try MetricsLog.keepRecords(before: 2, path: path), 3)
        let kept = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(kept, Array(lines[0..<4]))
    }
}

/// Run states the fuzzer (Tests/Fuzz, target run-state) made trap in the sampler once a run
/// resumed from them; they are refused on load, in one line naming the file.
final class RunStateFuzzRegressionTests: XCTestCase {
    private static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fuzz/regressions/run-state").standardized

    private func refusal(_ name: String) throws -> String {
        let data = try Data(contentsOf: Self.regressions.appendingPathComponent(name))
        do {
            _ = try RunState.decode(data, path: name)
        } catch {
            return "\(error)"
        }
        XCTFail("\(name) was accepted")
        return ""
    }

    func testServedCountsThatDoNotAddUpToTheStepsAreRefused() throws {
        XCTAssertEqual(try refusal("served-count-overflows"), "served-count-overflows: not a valid run state: "
            + "sampler_cursor.served adds up to 18446744073709551608 sequences, not step 120 × 4")
    }

    func testACursorAtAnotherStepIsRefused() throws {
        XCTAssertEqual(try refusal("cursor-step-overflows"), "cursor-step-overflows: not a valid run state: "
            + "sampler_cursor.step is 9223372036854775807, the state's step 120")
    }
}
