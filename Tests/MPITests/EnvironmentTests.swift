import MPI
import XCTest

final class EnvironmentTests: XCTestCase {
    func testThreadLevelIsReportedAndGranted() throws {
        let environment = try SharedEnvironment.environment()
        XCTAssertEqual(environment.requestedThreadLevel, .funneled)
        XCTAssertGreaterThanOrEqual(environment.providedThreadLevel, .funneled)
        XCTAssertFalse(environment.isFinalized)
    }

    func testSecondInitializationIsRefused() throws {
        _ = try SharedEnvironment.environment()
        XCTAssertThrowsError(try MPIEnvironment(threadLevel: .single)) { error in
            let mpiError = error as? MPIError
            XCTAssertEqual(mpiError?.operation, "MPI_Init_thread")
            XCTAssertEqual(mpiError?.reason, .refused)
            XCTAssertTrue(mpiError?.description.contains("already initialized") ?? false, "\(error)")
        }
    }

    func testSingletonWorldIsRankZeroOfOne() throws {
        let environment = try SharedEnvironment.environment()
        let world = environment.world
        XCTAssertEqual(world.rank, 0)
        XCTAssertEqual(world.size, 1)
        XCTAssertTrue(world.isWorld)
        XCTAssertEqual(environment.worldRank, 0)
        XCTAssertEqual(environment.worldSize, 1)
        try world.barrier()
    }

    func testWallTimeAdvancesAndProcessorHasAName() throws {
        let environment = try SharedEnvironment.environment()
        let start = environment.wallTime()
        usleep(2000)
        let elapsed = environment.wallTime() - start
        XCTAssertGreaterThan(elapsed, 0.001)
        XCTAssertLessThan(elapsed, 5)
        XCTAssertFalse(try environment.processorName().isEmpty)
    }

    func testThreadLevelsAreOrdered() {
        XCTAssertLessThan(MPIThreadLevel.single, .funneled)
        XCTAssertLessThan(MPIThreadLevel.funneled, .serialized)
        XCTAssertLessThan(MPIThreadLevel.serialized, .multiple)
        XCTAssertEqual(MPIThreadLevel.multiple.description, "MPI_THREAD_MULTIPLE")
    }
}
