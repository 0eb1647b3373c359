import Foundation
import TrainingCore
import XCTest

final class MetricsLogTests: XCTestCase {
    func testRecordsRoundTripAsOneLineEach() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("metrics.jsonl").path
        let records: [MetricsRecord] = [
            .run(RunRecord(name: "t", config: "name = \"t\"", configHash: "00ff", worldSize: 3, teacherRanks: [1],
                           studentRanks: [0, 2], hostnames: ["a"], versions: ["ddk": "dev"], startStep: 0)),
            .step(StepRecord(step: 1, loss: 2.5, components: ["ce": 2.0, "kd": 0.5], lr: 1e-3, gradNorm: .infinity,
                             tokensPerSecond: 100, stepSeconds: 0.5, teacherWaitSeconds: 0.1, allreduceSeconds: 0.01)),
            .ddk(DDKRecord(step: 10, mode: .smooth, alpha: 0.5, domains: [
                .init(name: "legal", studentPpl: 30, teacherPpl: 6, weightBefore: 0.5, weightAfter: 0.6),
            ])),
        ]
        let log = try MetricsLog(path: path)
        for record in records { try log.append(record) }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text.split(separator: "\n").count, 3)
        XCTAssertTrue(text.contains("\"kind\":\"step\""))
        XCTAssertTrue(text.contains("\"teacher_wait_seconds\":0.1"))
        XCTAssertTrue(text.contains("\"weight_after\":0.6"))
        XCTAssertEqual(try MetricsLog.read(path: path), records)
    }

    func testMalformedLineIsReportedWithItsNumber() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "{\"kind\":\"step\"}\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MetricsLog.read(path: path)) { error in
            XCTAssertEqual(error as? MetricsLogError, .malformed(path: path, line: 1))
        }
    }
}
