import MPI
import XCTest

final class PointToPointTests: XCTestCase {
    func testImmediateSelfSendAndReceiveRoundTrip() throws {
        let world = try SharedEnvironment.environment().world
        let inbox = MPIBuffer<Int32>(repeating: 0, count: 5)
        let receive = try world.immediateReceive(into: inbox, from: nil, tag: 7)
        XCTAssertFalse(try receive.test())
        let send = try world.immediateSend([Int32(10), 20, 30], to: 0, tag: 7)
        try Request.waitAll([receive, send])
        XCTAssertEqual(receive.status, MessageStatus(source: 0, tag: 7, count: 3))
        XCTAssertNil(send.status)
        XCTAssertEqual(inbox.array, [10, 20, 30, 0, 0])
    }

    func testProbeReportsSourceTagAndCount() throws {
        let world = try SharedEnvironment.environment().world
        XCTAssertNil(try world.immediateProbe(Float.self, from: 0, tag: 21))
        let send = try world.immediateSend([Float](repeating: 1, count: 6), to: 0, tag: 21)
        XCTAssertEqual(try world.probe(Float.self, from: nil, tag: nil), MessageStatus(source: 0, tag: 21, count: 6))
        XCTAssertEqual(try world.probe(UInt8.self, from: 0, tag: 21).count, 24)
        XCTAssertEqual(try world.immediateProbe(Double.self, from: 0, tag: 21)?.count, 3)
        var values = [Float](repeating: 0, count: 8)
        let status = try world.receive(into: &values, from: 0, tag: 21)
        try send.wait()
        XCTAssertEqual(status.count, 6)
        XCTAssertEqual(values, [1, 1, 1, 1, 1, 1, 0, 0])
    }

    func testReceiveOfAnyLengthUsesMatchedProbe() throws {
        let world = try SharedEnvironment.environment().world
        let send = try world.immediateSend([UInt16](0 ..< 9), to: 0, tag: 3)
        let message = try world.receive(UInt16.self, from: 0, tag: 3)
        try send.wait(timeout: .seconds(10))
        XCTAssertEqual(message.values, [UInt16](0 ..< 9))
        XCTAssertEqual(message.status, MessageStatus(source: 0, tag: 3, count: 9))
    }

    func testReceiveOfAPartialElementIsRefused() throws {
        let world = try SharedEnvironment.environment().world
        let send = try world.immediateSend([UInt8](arrayLiteral: 1, 2, 3), to: 0, tag: 4)
        XCTAssertThrowsError(try world.probe(Float.self, from: 0, tag: 4)) { error in
            XCTAssertEqual((error as? MPIError)?.operation, "MPI_Probe")
        }
        _ = try world.receive(UInt8.self, from: 0, tag: 4)
        try send.wait()
    }

    func testTooLongMessageThrowsTruncation() throws {
        let world = try SharedEnvironment.environment().world
        let send = try world.immediateSend([Int64](repeating: 2, count: 4), to: 0, tag: 5)
        var small = [Int64](repeating: 0, count: 2)
        XCTAssertThrowsError(try world.receive(into: &small, from: 0, tag: 5)) { error in
            XCTAssertEqual((error as? MPIError)?.operation, "MPI_Recv")
            XCTAssertNotNil((error as? MPIError)?.code)
        }
        try send.wait(timeout: .seconds(10))
    }

    func testWaitWithDeadlineThrowsTimeoutAndStaysPending() throws {
        let world = try SharedEnvironment.environment().world
        let inbox = MPIBuffer<Double>(repeating: 0, count: 1)
        let receive = try world.immediateReceive(into: inbox, from: 0, tag: 99)
        let clock = ContinuousClock()
        let started = clock.now
        XCTAssertThrowsError(try receive.wait(timeout: .milliseconds(50))) { error in
            let mpiError = error as? MPIError
            XCTAssertEqual(mpiError?.isTimeout, true)
            XCTAssertEqual(mpiError?.operation, "MPI_Irecv")
            XCTAssertTrue(mpiError?.message.contains("tag 99") ?? false, "\(error)")
        }
        let waited = clock.now - started
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(50))
        XCTAssertLessThan(waited, .seconds(5))
        XCTAssertFalse(receive.isComplete)
        let send = try world.immediateSend([Double(2.5)], to: 0, tag: 99)
        try Request.waitAll([receive, send], timeout: .seconds(10))
        XCTAssertEqual(inbox[0], 2.5)
    }

    func testBufferLivesUntilTheRequestCompletes() throws {
        let world = try SharedEnvironment.environment().world
        weak var weakInbox: MPIBuffer<UInt32>?
        var receive: Request?
        do {
            let inbox = MPIBuffer<UInt32>(repeating: 0, count: 2)
            weakInbox = inbox
            receive = try world.immediateReceive(into: inbox, from: 0, tag: 12)
        }
        XCTAssertNotNil(weakInbox, "the pending request must keep its buffer alive")
        let send = try world.immediateSend([UInt32(7), 8], to: 0, tag: 12)
        try send.wait()
        XCTAssertEqual(try receive?.wait()?.count, 2)
        XCTAssertNil(weakInbox, "a completed request releases its buffer")
        XCTAssertEqual(receive?.isComplete, true)
        receive = nil
    }

    func testDroppedReceiveIsCancelledAndDoesNotSwallowLaterMessages() throws {
        let world = try SharedEnvironment.environment().world
        do {
            let dropped = try world.immediateReceive(into: MPIBuffer<Int32>(repeating: 0, count: 1), from: 0, tag: 31)
            XCTAssertFalse(dropped.isComplete)
        }
        let send = try world.immediateSend([Int32(5)], to: 0, tag: 31)
        let message = try world.receive(Int32.self, from: 0, tag: 31)
        try send.wait()
        XCTAssertEqual(message.values, [5])
    }

    func testMPIBufferIsAStableCollection() throws {
        let buffer = MPIBuffer<Int>([1, 2, 3])
        let address = buffer.storage.baseAddress
        buffer[1] = 20
        XCTAssertEqual(Array(buffer), [1, 20, 3])
        XCTAssertEqual(buffer.map { $0 * 2 }, [2, 40, 6])
        try buffer.assign([4, 5, 6])
        XCTAssertEqual(buffer.array, [4, 5, 6])
        XCTAssertEqual(buffer.storage.baseAddress, address)
        XCTAssertThrowsError(try buffer.assign([1]))
        let owner = MPIBuffer<Int>(repeating: 9, count: 4)
        let view = MPIBuffer(unsafeWrapping: UnsafeMutableBufferPointer(rebasing: owner.storage[1 ..< 3]), owner: owner)
        view[0] = 1
        XCTAssertEqual(owner.array, [9, 1, 9, 9])
    }
}

final class DroppedRequestTests: XCTestCase {
    func testDroppedSendStillDeliversItsMessage() throws {
        let world = try SharedEnvironment.environment().world
        do {
            _ = try world.immediateSend([Int32(1), 2, 3], to: 0, tag: 41)
        }
        let message = try world.receive(Int32.self, from: 0, tag: 41)
        XCTAssertEqual(message.values, [1, 2, 3])
    }

    func testDroppedAllReduceIsWaitedFor() throws {
        let world = try SharedEnvironment.environment().world
        let buffer = MPIBuffer<Double>([1, 2])
        do {
            _ = try world.immediateAllReduce(buffer, op: .max)
        }
        XCTAssertEqual(buffer.array, [1, 2])
        XCTAssertEqual(try world.allReduce(Int32(3), op: .sum), 3, "the world works after the dropped collective")
    }
}
