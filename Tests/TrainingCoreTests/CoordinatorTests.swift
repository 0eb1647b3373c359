import Engine
import Foundation
import TrainingCore
import XCTest

final class CoordinatorTests: XCTestCase {
    func testFirstBoundaryAppliesEq1FromUniformThenEq2() throws {
        let teacher = [10.0, 20.0, 40.0]
        let coordinator = DDKCoordinator(weighting: try DomainWeighting(mode: .smooth, alpha: 0.5),
                                         domainNames: ["a", "b", "c"], teacherPerplexity: teacher)
        // sums = [loss sums..., counts...] with perplexity exp(sum/count).
        let student = [30.0, 30.0, 60.0]
        let sums = student.map { log($0) * 100 } + [100, 100, 100]
        let first = try coordinator.decide(step: 0, studentSums: sums)
        XCTAssertEqual(first.domains.map(\.weightBefore), [1.0 / 3, 1.0 / 3, 1.0 / 3])
        let ratios = zip(student, teacher).map { $0 / $1 }
        let exps = ratios.map(exp)
        for (index, domain) in first.domains.enumerated() {
            XCTAssertEqual(domain.studentPpl, student[index], accuracy: 1e-9)
            XCTAssertEqual(domain.weightAfter, exps[index] / exps.reduce(0, +), accuracy: 1e-12)
        }
        let second = try coordinator.decide(step: 10, studentSums: sums)
        let before = first.domains.map(\.weightAfter)
        XCTAssertEqual(second.domains.map(\.weightBefore), before)
        let psi = zip(before, ratios).map { $0 * exp($1) }
        for (index, domain) in second.domains.enumerated() {
            XCTAssertEqual(domain.weightAfter, 0.5 * psi[index] / psi.reduce(0, +) + 0.5 / 3, accuracy: 1e-12)
        }
    }

    func testPerplexitiesFromReducedSums() {
        XCTAssertEqual(ValidationSharding.perplexities([2 * log(5.0), 0, 2, 1]), [5, 1], accuracy: 1e-12)
    }

    func testDefaultTeacherPoolFollowsTheFlopRatio() throws {
        let teacher = LlamaConfig.smolLM2_135M
        let student = LlamaConfig.referenceStudent
        // SmolLM2's forward costs about 2.6× a reference student step per token: the teachers' share
        // (0.73) is capped at one teacher per student.
        let ranks = (2...8).map {
            TeacherPoolSizing.defaultTeacherRanks(worldSize: $0, teacher: teacher, student: student,
                                                  sequenceLength: 256, coordinatorTrains: true)
        }
        XCTAssertEqual(ranks.first, 1)
        XCTAssertTrue(zip(ranks, ranks.dropFirst()).allSatisfy { $0 <= $1 }, "\(ranks)")
        // Every teacher serves a student of its own: never more teachers than students.
        for (world, count) in zip(2...8, ranks) { XCTAssertLessThanOrEqual(count, world - count, "world \(world)") }
        XCTAssertEqual(ranks, [1, 1, 2, 2, 3, 3, 4])
        XCTAssertEqual(TeacherPoolSizing.defaultTeacherRanks(worldSize: 5, teacher: teacher, student: student,
                                                             sequenceLength: 256, coordinatorTrains: false), 2)
        XCTAssertEqual(TeacherPoolSizing.defaultTeacherRanks(worldSize: 1, teacher: teacher, student: student,
                                                             sequenceLength: 256, coordinatorTrains: true), 0)
    }

    func testContentHashSeesEveryBit() {
        var a = ContentHash(), b = ContentHash()
        [Float(1), 2, 3].withUnsafeBufferPointer { a.combine(floats: $0) }
        [Float(1), 2, 3.0000002].withUnsafeBufferPointer { b.combine(floats: $0) }
        XCTAssertNotEqual(a.value, b.value)
        XCTAssertEqual(ContentHash.of("x"), ContentHash.of("x"))
        XCTAssertEqual(ContentHash.hex(0xAB).count, 16)
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}

/// DDK across two vocabularies: the students' per-token sums are divided by the validation
/// bytes, like the teacher's, and the record says so.
final class PerByteCoordinatorTests: XCTestCase {
    func testStudentSumsAreDividedByTheBytesAndTheRecordNamesTheUnit() throws {
        let bytes = [400.0, 900.0]
        let teacher = [Foundation.exp(300.0 / 400), Foundation.exp(450.0 / 900)]
        let coordinator = DDKCoordinator(weighting: try DomainWeighting(mode: .smooth, alpha: 0.5, staticWeights: nil),
                                         domainNames: ["a", "b"], teacherPerplexity: teacher, unit: .byte, validationBytes: bytes)
        let record = try coordinator.decide(step: 0, studentSums: [600, 1350, 100, 250])
        XCTAssertEqual(record.perplexityUnit, .byte)
        XCTAssertEqual(record.domains[0].studentPpl, Foundation.exp(600.0 / 400), accuracy: 1e-12)
        XCTAssertEqual(record.domains[1].studentPpl, Foundation.exp(1350.0 / 900), accuracy: 1e-12)
        let perToken = DDKCoordinator(weighting: try DomainWeighting(mode: .smooth, alpha: 0.5, staticWeights: nil),
                                      domainNames: ["a", "b"], teacherPerplexity: teacher)
        let tokenRecord = try perToken.decide(step: 0, studentSums: [600, 1350, 100, 250])
        XCTAssertEqual(tokenRecord.perplexityUnit, .token)
        XCTAssertEqual(tokenRecord.domains[0].studentPpl, Foundation.exp(6.0), accuracy: 1e-9)
    }
}
