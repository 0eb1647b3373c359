import MPI
import XCTest

final class CommunicatorTests: XCTestCase {
    func testSplitWithUndefinedColourGivesNil() throws {
        let world = try SharedEnvironment.environment().world
        XCTAssertNil(try world.split(color: nil))
    }

    func testSplitWithColourGivesOneRank() throws {
        let world = try SharedEnvironment.environment().world
        let part = try XCTUnwrap(try world.split(color: 3, key: 7))
        XCTAssertEqual(part.rank, 0)
        XCTAssertEqual(part.size, 1)
        XCTAssertFalse(part.isWorld)
        XCTAssertEqual(try part.allReduce(Int32(5), op: .sum), 5)
    }

    func testSplitByNodeHoldsTheOneRank() throws {
        let world = try SharedEnvironment.environment().world
        let node = try world.splitByNode()
        XCTAssertEqual(node.size, 1)
        XCTAssertEqual(node.rank, 0)
    }

    func testDuplicateHasSameRanksAndSeparateMessages() throws {
        let world = try SharedEnvironment.environment().world
        let copy = try world.duplicate()
        XCTAssertEqual(copy.rank, world.rank)
        XCTAssertEqual(copy.size, world.size)
        try copy.barrier()
        // A message sent on the copy is not visible on the world.
        let send = try copy.immediateSend([Int64(42)], to: 0, tag: 11)
        XCTAssertNil(try world.immediateProbe(Int64.self, from: 0, tag: 11))
        let received = try copy.receive(Int64.self, from: 0, tag: 11)
        try send.wait()
        XCTAssertEqual(received.values, [42])
    }

    func testNegativeColourThrowsMPIError() throws {
        let world = try SharedEnvironment.environment().world
        XCTAssertThrowsError(try world.split(color: -5)) { error in
            XCTAssertEqual((error as? MPIError)?.operation, "MPI_Comm_split")
        }
    }
}
