import Runtime
import XCTest

/// The per-step and benchmark figures gathered as flat buffers read back field by field.
final class RankFiguresTests: XCTestCase {
    func testStepFiguresRoundTripThroughTheFlatBlock() {
        let figures = RankStepFigures(componentSums: [1.5, -2.25, 3], teacherWaitSeconds: 0.125, allreduceSeconds: 0.5,
                                      stepSeconds: 1.75, gradientNorm: 4.5, trains: true)
        XCTAssertEqual(figures.flat.count, RankStepFigures.flatCount(componentCount: 3))
        let read = RankStepFigures(flat: figures.flat[...], componentCount: 3)
        XCTAssertEqual(read, figures)
        XCTAssertEqual(Array(read.componentSums), [1.5, -2.25, 3])
        XCTAssertEqual(read.teacherWaitSeconds, 0.125)
        XCTAssertEqual(read.allreduceSeconds, 0.5)
        XCTAssertEqual(read.stepSeconds, 1.75)
        XCTAssertEqual(read.gradientNorm, 4.5)
        XCTAssertTrue(read.trains)
        let idle = RankStepFigures.notTraining(componentCount: 3)
        XCTAssertFalse(idle.trains)
        XCTAssertEqual(RankStepFigures(flat: idle.flat[...], componentCount: 3), idle)
    }

    func testGatheredStepFiguresSplitIntoMembersInOrder() {
        let members = [
            RankStepFigures.notTraining(componentCount: 2),
            RankStepFigures(componentSums: [1, 2], teacherWaitSeconds: 3, allreduceSeconds: 4, stepSeconds: 5,
                            gradientNorm: 6, trains: true),
            RankStepFigures(componentSums: [7, 8], teacherWaitSeconds: 9, allreduceSeconds: 10, stepSeconds: 11,
                            gradientNorm: 12, trains: true),
        ]
        let gathered = members.flatMap(\.flat)
        XCTAssertEqual(gathered.count, 3 * RankStepFigures.flatCount(componentCount: 2))
        XCTAssertEqual(RankStepFigures.members(of: gathered, componentCount: 2), members)
    }

    func testBenchmarkFiguresRoundTripThroughTheFlatBlock() {
        let teacher = RankBenchmarkFigures(isTeacher: true, wallSeconds: 2.5, cpuSeconds: 2.25, computeSeconds: 1.5,
                                           creditWaitSeconds: 0.25, heartbeatSeconds: 0.125, heartbeatWallSeconds: 3)
        let student = RankBenchmarkFigures(wallSeconds: 4, cpuSeconds: 3.5, computeSeconds: 3, teacherWaitSeconds: 0.5,
                                           syncWaitSeconds: 0.25, bareAllreduceSeconds: 0.01, bucketedAllreduceSeconds: 0.02)
        XCTAssertEqual(teacher.flat.count, RankBenchmarkFigures.flatCount)
        XCTAssertEqual(RankBenchmarkFigures(flat: teacher.flat[...]), teacher)
        XCTAssertEqual(RankBenchmarkFigures.ranks(of: student.flat + teacher.flat), [student, teacher])
    }

    func testCheckpointStallHookParsesOrRefuses() throws {
        XCTAssertNil(try TestHooks.fromEnvironment([:]).checkpointStall)
        XCTAssertNil(try TestHooks.fromEnvironment(["DDK_TEST_CHECKPOINT_STALL": ""]).checkpointStall)
        let stall = try XCTUnwrap(try TestHooks.fromEnvironment(["DDK_TEST_CHECKPOINT_STALL": "8:60"]).checkpointStall)
        XCTAssertEqual(stall.step, 8)
        XCTAssertEqual(stall.seconds, 60)
        XCTAssertThrowsError(try TestHooks.fromEnvironment(["DDK_TEST_CHECKPOINT_STALL": "8"])) { error in
            XCTAssertEqual("\(error)", "DDK_TEST_CHECKPOINT_STALL must be STEP:SECONDS, not '8'")
        }
        let step = try XCTUnwrap(try TestHooks.fromEnvironment(["DDK_TEST_STEP_STALL": "2:5:60"]).stepStall)
        XCTAssertEqual([Double(step.rank), Double(step.step), step.seconds], [2, 5, 60])
        XCTAssertThrowsError(try TestHooks.fromEnvironment(["DDK_TEST_STEP_STALL": "5:60"])) { error in
            XCTAssertEqual("\(error)", "DDK_TEST_STEP_STALL must be RANK:STEP:SECONDS, not '5:60'")
        }
    }
}
