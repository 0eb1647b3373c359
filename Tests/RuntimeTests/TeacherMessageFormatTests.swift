import Distillation
import MPI
import Runtime
import TrainingCore
import XCTest

final class TeacherMessageFormatTests: XCTestCase {
    func makeFormat(hidden: Bool = false) -> TeacherMessageFormat {
        TeacherMessageFormat(requirements: hidden ? [.topKLogProbabilities, .finalHiddenStates] : [.topKLogProbabilities],
                             rows: 3, k: 2, vocabularySize: 10, hiddenWidth: 4, temperature: 2)
    }

    func makeOutputs(step: Int, student: Int) throws -> TeacherOutputs {
        let targets = try TopKTargets(rowCount: 3, k: 2, vocabularySize: 10, temperature: 2,
                                      ids: [1, 2, 9, 0, 4, 5], logProbabilities: [-0.1, -2, -0.3, -1.5, -0.7, -0.9],
                                      tailMass: [0.05, 0.1, 0.2])
        return TeacherOutputs(step: step, studentIndex: student, rows: 3, topK: targets,
                              hiddenStates: (0..<12).map { Float($0) * 0.5 })
    }

    func testRoundTripCarriesExactlyTheDeclaredParts() throws {
        for hidden in [false, true] {
            let format = makeFormat(hidden: hidden)
            let buffer = MPIBuffer<UInt32>(repeating: 0, count: format.messageWords)
            let outputs = try makeOutputs(step: 41, student: 2)
            format.encode(outputs, into: buffer)
            let decoded = try format.decode(buffer, count: format.messageWords, expectedStep: 41, expectedStudent: 2, sourceRank: 1)
            XCTAssertEqual(decoded.topK, outputs.topK)
            XCTAssertEqual(decoded.hiddenStates, hidden ? outputs.hiddenStates : nil)
            XCTAssertNil(decoded.fullLogits)
        }
        XCTAssertEqual(makeFormat().messageWords, 9 + 3 * (2 * 2 + 1))
        XCTAssertEqual(makeFormat(hidden: true).messageWords, 9 + 3 * (2 * 2 + 1) + 3 * 4)
    }

    /// `store+live`: a top-k message carries only the rows of the sequences the store does
    /// not hold (here 1 of 3 rows, and none); other formats must carry every row.
    func testTopKMessagesMayCarryFewerRows() throws {
        let format = makeFormat()
        XCTAssertTrue(format.allowsFewerRows)
        XCTAssertFalse(makeFormat(hidden: true).allowsFewerRows)
        let all = try makeOutputs(step: 5, student: 0).topK!
        for rows in [1, 0] {
            let part = try all.rows(0..<rows)
            let buffer = MPIBuffer<UInt32>(repeating: 0, count: format.messageWords)
            format.encode(TeacherOutputs(step: 5, studentIndex: 0, rows: rows, topK: part), into: buffer)
            let count = TeacherMessageFormat.headerWords + format.payloadWords(rows: rows)
            let decoded = try format.decode(buffer, count: count, expectedStep: 5, expectedStudent: 0, sourceRank: 1)
            XCTAssertEqual(decoded.rows, rows)
            XCTAssertEqual(decoded.topK, part)
            XCTAssertThrowsError(try format.decode(buffer, count: count + 1, expectedStep: 5, expectedStudent: 0, sourceRank: 1))
        }
    }

    /// `dskd-cma`: the teacher's own tokens (B = 1 sequence of TT = 5 positions, the student's
    /// T = 3) and hidden states at those positions, not at the student's.
    func testCrossModelMessageCarriesTheTeacherTokensAndItsHiddenStates() throws {
        let format = TeacherMessageFormat(requirements: ObjectiveKind.dskdCMA.teacherRequirements(), rows: 3, k: 0,
                                          vocabularySize: 10, hiddenWidth: 4, temperature: 2, teacherTokens: (1, 5))
        XCTAssertEqual(format.teacherRows, 5)
        XCTAssertEqual(format.messageWords, 9 + 2 * 5 + 5 * 4)
        let tokens = TeacherTokenIds(sequenceLength: 5, inputs: [2, 7, 3, 0, 0], labels: [7, 3, 9, -1, -1])
        let outputs = TeacherOutputs(step: 3, studentIndex: 1, rows: 3, hiddenStates: (0..<20).map { Float($0) - 7.25 },
                                     tokenIds: tokens)
        let buffer = MPIBuffer<UInt32>(repeating: 0, count: format.messageWords)
        format.encode(outputs, into: buffer)
        let decoded = try format.decode(buffer, count: format.messageWords, expectedStep: 3, expectedStudent: 1, sourceRank: 1)
        XCTAssertEqual(decoded.tokenIds?.inputs, tokens.inputs)
        XCTAssertEqual(decoded.tokenIds?.labels, tokens.labels)
        XCTAssertEqual(decoded.tokenIds?.sequenceLength, 5)
        XCTAssertEqual(decoded.hiddenStates, outputs.hiddenStates)
        let other = TeacherMessageFormat(requirements: ObjectiveKind.dskdCMA.teacherRequirements(), rows: 3, k: 0,
                                         vocabularySize: 10, hiddenWidth: 4, temperature: 2, teacherTokens: (1, 6))
        XCTAssertThrowsError(try other.decode(buffer, count: format.messageWords, expectedStep: 3, expectedStudent: 1, sourceRank: 1))
    }

    func testStaleOrMisroutedMessagesAreRefusedNamingTheStep() throws {
        let format = makeFormat()
        let buffer = MPIBuffer<UInt32>(repeating: 0, count: format.messageWords)
        format.encode(try makeOutputs(step: 7, student: 0), into: buffer)
        XCTAssertThrowsError(try format.decode(buffer, count: format.messageWords, expectedStep: 8, expectedStudent: 0, sourceRank: 1)) {
            XCTAssertTrue("\($0)".contains("step 7"), "\($0)")
        }
        XCTAssertThrowsError(try format.decode(buffer, count: format.messageWords, expectedStep: 7, expectedStudent: 1, sourceRank: 1))
        XCTAssertThrowsError(try format.decode(buffer, count: format.messageWords - 1, expectedStep: 7, expectedStudent: 0, sourceRank: 1))
        buffer.storage[0] = 0
        XCTAssertThrowsError(try format.decode(buffer, count: format.messageWords, expectedStep: 7, expectedStudent: 0, sourceRank: 1))
    }

    /// A corrupt id reached the student as a bare distillation error; found by the fuzz target
    /// `teacher-message` (Tests/Fuzz/regressions/teacher-message).
    func testACorruptTopKIdNamesTheTeacherAndTheStep() throws {
        let format = makeFormat()
        let buffer = MPIBuffer<UInt32>(repeating: 0, count: format.messageWords)
        format.encode(try makeOutputs(step: 41, student: 2), into: buffer)
        buffer.storage[TeacherMessageFormat.headerWords] = 99
        XCTAssertThrowsError(try format.decode(buffer, count: format.messageWords, expectedStep: 41, expectedStudent: 2, sourceRank: 1)) {
            XCTAssertTrue("\($0)".hasPrefix("step 41: from teacher rank 1: "), "\($0)")
            XCTAssertTrue("\($0)".contains("99"), "\($0)")
        }
    }

    func testTagsWrapBelowTheMPIMinimumTagBound() {
        XCTAssertEqual(TeacherMessageFormat.tag(step: 5), 5)
        XCTAssertEqual(TeacherMessageFormat.tag(step: TeacherMessageFormat.tagModulus + 5), 5)
        XCTAssertLessThan(2 * TeacherMessageFormat.tagModulus, 32_767)
    }
}
