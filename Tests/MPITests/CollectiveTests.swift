import MPI
import XCTest

/// On a world of one rank every collective returns its input (the identity).
final class CollectiveTests: XCTestCase {
    func testBroadcastKeepsValues() throws {
        let world = try SharedEnvironment.environment().world
        var values: [Float] = [1.5, -2, 3]
        try world.broadcast(&values, root: 0)
        XCTAssertEqual(values, [1.5, -2, 3])
        XCTAssertEqual(try world.broadcast(UInt16(7), root: 0), 7)
        XCTAssertEqual(try world.broadcastVariable([UInt8](arrayLiteral: 1, 2, 3, 4), root: 0), [1, 2, 3, 4])
        let buffer = MPIBuffer<Double>([1, 2, 3, 4])
        try world.broadcast(buffer, range: 1 ..< 3, root: 0)
        XCTAssertEqual(buffer.array, [1, 2, 3, 4])
    }

    func testAllReduceIsIdentityInAndOutOfPlace() throws {
        let world = try SharedEnvironment.environment().world
        var values: [Double] = [1, 2, 3]
        try world.allReduce(&values, op: .sum)
        XCTAssertEqual(values, [1, 2, 3])
        XCTAssertEqual(try world.allReduce([Int32(4), -5], op: .max), [4, -5])
        XCTAssertEqual(try world.allReduce(UInt32(9), op: .min), 9)
        XCTAssertEqual(try world.allReduce(Int(-3), op: .sum), -3)
        let buffer = MPIBuffer<Float>([0.5, 0.25])
        try world.allReduce(buffer, op: .sum)
        XCTAssertEqual(buffer.array, [0.5, 0.25])
        var empty: [Float] = []
        try world.allReduce(&empty, op: .sum)
        XCTAssertEqual(empty, [])
    }

    func testReduceToRootIsIdentity() throws {
        let world = try SharedEnvironment.environment().world
        XCTAssertEqual(try world.reduce([Int64(1), 2], op: .sum, root: 0), [1, 2])
        XCTAssertEqual(try world.reduce(Float(2.5), op: .max, root: 0), 2.5)
    }

    func testGatherAndAllGatherReturnTheOneRanksValues() throws {
        let world = try SharedEnvironment.environment().world
        XCTAssertEqual(try world.gather([Int32(1), 2], root: 0), [1, 2])
        XCTAssertEqual(try world.gather(UInt8(3), root: 0), [3])
        XCTAssertEqual(try world.gatherVariable([Double(1), 2, 3], root: 0), [[1, 2, 3]])
        XCTAssertEqual(try world.gatherVariable([Double](), root: 0), [[]])
        XCTAssertEqual(try world.allGather([Float(1)]), [1])
        XCTAssertEqual(try world.allGather(Int(5)), [5])
        XCTAssertEqual(try world.allGatherVariable([UInt64(8), 9]), [[8, 9]])
    }

    func testScatterReturnsTheRootsBlock() throws {
        let world = try SharedEnvironment.environment().world
        XCTAssertEqual(try world.scatter([Int32(1), 2, 3], countPerRank: 3, root: 0), [1, 2, 3])
    }

    func testScatterWithWrongCountIsRefused() throws {
        let world = try SharedEnvironment.environment().world
        XCTAssertThrowsError(try world.scatter([Int32(1), 2, 3], countPerRank: 2, root: 0)) { error in
            XCTAssertEqual((error as? MPIError)?.operation, "MPI_Scatter")
            XCTAssertEqual((error as? MPIError)?.reason, .refused)
        }
    }

    func testImmediateAllReduceCompletesWithIdentity() throws {
        let world = try SharedEnvironment.environment().world
        let gradients = MPIBuffer<Float>([1, 2, 3, 4])
        let request = try world.immediateAllReduce(gradients, range: 0 ..< 2, op: .sum)
        XCTAssertNil(try request.wait(timeout: .seconds(10)))
        XCTAssertTrue(request.isComplete)
        XCTAssertEqual(gradients.array, [1, 2, 3, 4])
    }

    func testBroadcastFromMissingRootThrowsMPIError() throws {
        let world = try SharedEnvironment.environment().world
        var values: [Float] = [1]
        XCTAssertThrowsError(try world.broadcast(&values, root: 5)) { error in
            guard let mpiError = error as? MPIError else { return XCTFail("not an MPIError: \(error)") }
            XCTAssertEqual(mpiError.operation, "MPI_Bcast")
            XCTAssertNotNil(mpiError.code)
            XCTAssertNotEqual(mpiError.code, 0)
            XCTAssertTrue(mpiError.description.contains("MPI_Bcast"), mpiError.description)
            XCTAssertTrue(mpiError.message.contains("root"), mpiError.message)
        }
        // The world still works after the error.
        XCTAssertEqual(try world.allReduce(Int32(1), op: .sum), 1)
    }

    func testRangeOutsideBufferIsRefused() throws {
        let world = try SharedEnvironment.environment().world
        let buffer = MPIBuffer<Int32>(repeating: 0, count: 4)
        XCTAssertThrowsError(try world.allReduce(buffer, range: 2 ..< 6, op: .sum)) { error in
            XCTAssertEqual((error as? MPIError)?.operation, "MPI_Allreduce")
            XCTAssertEqual((error as? MPIError)?.reason, .refused)
        }
    }
}

/// A type that borrows a datatype whose size does not match its stride.
private struct TwoDoubles: MPIDatatypeConvertible, Equatable {
    var first: Double
    var second: Double
    static var mpiDatatype: MPIDatatype { Double.mpiDatatype }
}

/// A type that borrows a datatype of its own size.
private struct Tick: MPIDatatypeConvertible, Equatable {
    var count: UInt32
    static var mpiDatatype: MPIDatatype { UInt32.mpiDatatype }
}

final class DatatypeTests: XCTestCase {
    func testDatatypeOfAnotherSizeIsRefused() throws {
        let world = try SharedEnvironment.environment().world
        XCTAssertThrowsError(try world.allReduce([TwoDoubles(first: 1, second: 2)], op: .sum)) { error in
            XCTAssertEqual((error as? MPIError)?.operation, "MPI_Allreduce")
            XCTAssertEqual((error as? MPIError)?.reason, .refused)
        }
        XCTAssertThrowsError(try world.immediateSend([TwoDoubles(first: 1, second: 2)], to: 0, tag: 1))
    }

    func testDatatypeOfTheSameSizeIsAccepted() throws {
        let world = try SharedEnvironment.environment().world
        XCTAssertEqual(try world.allReduce([Tick(count: 3)], op: .max), [Tick(count: 3)])
    }
}
