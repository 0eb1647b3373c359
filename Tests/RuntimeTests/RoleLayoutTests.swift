import Runtime
import XCTest

final class RoleLayoutTests: XCTestCase {
    func testTwoRanksPutCoordinatorStudentOnZeroAndTeacherOnOne() throws {
        let layout = try RoleLayout(worldSize: 2, teacherCount: 1)
        XCTAssertEqual(layout.teacherRanks, [1])
        XCTAssertEqual(layout.studentRanks, [0])
        XCTAssertEqual(layout.roles(ofRank: 0), [.coordinator, .student])
        XCTAssertEqual(layout.roles(ofRank: 1), [.teacher])
    }

    func testFourRanksWithOneTeacher() throws {
        let layout = try RoleLayout(worldSize: 4, teacherCount: 1)
        XCTAssertEqual(layout.teacherRanks, [1])
        XCTAssertEqual(layout.studentRanks, [0, 2, 3])
        XCTAssertEqual(layout.studentIndex(ofRank: 3), 2)
        XCTAssertNil(layout.studentIndex(ofRank: 1))
        XCTAssertEqual([0, 1, 2].map { layout.teacherRank(servingStudentIndex: $0) }, [1, 1, 1])
    }

    func testStudentsAreSpreadRoundRobinOverTheTeacherPool() throws {
        let layout = try RoleLayout(worldSize: 7, teacherCount: 2)
        XCTAssertEqual(layout.teacherRanks, [1, 2])
        XCTAssertEqual(layout.studentRanks, [0, 3, 4, 5, 6])
        XCTAssertEqual(layout.studentIndices(servedByTeacherRank: 1), [0, 2, 4])
        XCTAssertEqual(layout.studentIndices(servedByTeacherRank: 2), [1, 3])
        XCTAssertEqual(layout.studentIndices(servedByTeacherRank: 5), [])
    }

    func testCoordinatorThatDoesNotTrain() throws {
        let layout = try RoleLayout(worldSize: 3, teacherCount: 1, coordinatorTrains: false)
        XCTAssertEqual(layout.studentRanks, [2])
        XCTAssertEqual(layout.roles(ofRank: 0), [.coordinator])
        XCTAssertThrowsError(try RoleLayout(worldSize: 2, teacherCount: 1, coordinatorTrains: false)) { error in
            XCTAssertEqual(error as? RoleLayoutError, .worldTooSmall(worldSize: 2, teachers: 1, coordinatorTrains: false))
        }
    }

    func testSingleProcessHoldsEveryRole() throws {
        let layout = try RoleLayout(worldSize: 1, teacherCount: 3)
        XCTAssertTrue(layout.isSingleProcess)
        XCTAssertEqual(layout.roles(ofRank: 0), [.coordinator, .teacher, .student])
        XCTAssertEqual(layout.teacherRank(servingStudentIndex: 0), 0)
    }

    func testWorldTooSmallIsRefusedWithOneClearLine() {
        XCTAssertThrowsError(try RoleLayout(worldSize: 3, teacherCount: 3)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("3 ranks cannot hold"), message)
            XCTAssertFalse(message.contains("\n"))
        }
        XCTAssertThrowsError(try RoleLayout(worldSize: 3, teacherCount: 0)) { error in
            XCTAssertEqual(error as? RoleLayoutError, .noTeacher(worldSize: 3))
        }
        XCTAssertNoThrow(try RoleLayout(worldSize: 3, teacherCount: 0, needsTeacher: false))
    }
}
