import MPI

/// Blocking and non-blocking messages and probes between ranks.
func checkPointToPoint(_ world: Communicator, _ record: CheckRecorder) {
    let rank = world.rank
    let size = world.size
    let next = (rank + 1) % size
    let previous = (rank + size - 1) % size

    record.group("ring") {
        let outgoing = try world.immediateSend((0 ..< 4).map { Int32(rank * 100 + $0) }, to: next, tag: 1)
        var incoming = [Int32](repeating: -1, count: 6)
        let status = try world.receive(into: &incoming, from: previous, tag: 1)
        try outgoing.wait(timeout: .seconds(30))
        record.expectEqual(status, MessageStatus(source: previous, tag: 1, count: 4), "ring receive status")
        record.expectEqual(incoming, (0 ..< 4).map { Int32(previous * 100 + $0) } + [-1, -1], "ring receive values")
    }

    record.group("ring blocking send") {
        // Even ranks send first, odd ranks receive first; with an odd size the
        // last rank (even) sends to rank 0 (even), which is small enough to be eager.
        let payload = [Double(rank) + 0.5]
        var inbox = [Double](repeating: 0, count: 1)
        if rank % 2 == 0 {
            try world.send(payload, to: next, tag: 2)
            _ = try world.receive(into: &inbox, from: previous, tag: 2)
        } else {
            _ = try world.receive(into: &inbox, from: previous, tag: 2)
            try world.send(payload, to: next, tag: 2)
        }
        record.expectEqual(inbox, [Double(previous) + 0.5], "blocking send/receive around the ring")
    }

    record.group("all-to-all with MPIBuffer") {
        let width = 3
        let inbox = MPIBuffer<UInt32>(repeating: 0, count: size * width)
        var requests: [Request] = []
        for source in 0 ..< size {
            requests.append(try world.immediateReceive(into: inbox, range: source * width ..< (source + 1) * width,
                                                       from: source, tag: 10 + source))
        }
        for destination in 0 ..< size {
            let outbox = MPIBuffer<UInt32>((0 ..< width).map { UInt32(rank * 1000 + destination * 10 + $0) })
            requests.append(try world.immediateSend(outbox, to: destination, tag: 10 + rank))
        }
        try Request.waitAll(requests, timeout: .seconds(30))
        let expected = (0 ..< size).flatMap { source in (0 ..< width).map { UInt32(source * 1000 + rank * 10 + $0) } }
        record.expectEqual(inbox.array, expected, "immediateSend/immediateReceive exchange with every rank")
        let statuses = requests.prefix(size).map { $0.status }
        record.expectEqual(statuses, (0 ..< size).map { MessageStatus(source: $0, tag: 10 + $0, count: width) }, "immediateReceive statuses")
    }

    record.group("probe") {
        let outgoing = try world.immediateSend([Int32](repeating: Int32(rank), count: rank + 3), to: next, tag: 50)
        let probed = try world.probe(Int32.self, from: previous, tag: 50)
        record.expectEqual(probed, MessageStatus(source: previous, tag: 50, count: previous + 3), "probe source, tag and Int32 count")
        record.expectEqual(try world.probe(UInt8.self, from: nil, tag: 50).count, 4 * (previous + 3), "probe with any source counts bytes")
        record.expectEqual(try world.immediateProbe(Int32.self, from: previous, tag: 50)?.count, previous + 3, "immediateProbe of a waiting message")
        let message = try world.receive(Int32.self, from: nil, tag: nil)
        record.expectEqual(message.status, MessageStatus(source: previous, tag: 50, count: previous + 3), "matched receive status")
        record.expectEqual(message.values, [Int32](repeating: Int32(previous), count: previous + 3), "matched receive values")
        try outgoing.wait(timeout: .seconds(30))
        record.expectEqual(try world.immediateProbe(Int32.self, from: previous, tag: 50), nil, "immediateProbe after the message was received")
    }

    record.group("receive with deadline") {
        let length = 1 + (rank * 7) % 5
        let outgoing = try world.immediateSend((0 ..< length).map { Float(rank) + Float($0) / 8 }, to: next, tag: 55)
        let message = try world.receive(Float.self, from: previous, tag: 55, timeout: .seconds(30))
        let previousLength = 1 + (previous * 7) % 5
        record.expectEqual(message.values, (0 ..< previousLength).map { Float(previous) + Float($0) / 8 }, "receive with deadline of a variable-length message")
        record.expectEqual(message.status, MessageStatus(source: previous, tag: 55, count: previousLength), "receive with deadline status")
        try outgoing.wait(timeout: .seconds(30))
        record.expectMPIError("receive with deadline times out when nothing is sent", { $0.isTimeout && $0.operation == "MPI_Improbe" }) {
            _ = try world.receive(Float.self, from: previous, tag: 56, timeout: .milliseconds(20))
        }
    }

    record.group("wait deadline") {
        let inbox = MPIBuffer<Int64>(repeating: 0, count: 1)
        let pending = try world.immediateReceive(into: inbox, from: previous, tag: 60)
        record.expectMPIError("wait(timeout:) throws a timeout while the peer has not sent", { $0.isTimeout && $0.operation == "MPI_Irecv" }) {
            try pending.wait(timeout: .milliseconds(30))
        }
        try world.barrier() // every rank has timed out before anything is sent
        let outgoing = try world.immediateSend([Int64(rank) << 40], to: next, tag: 60)
        try Request.waitAll([pending, outgoing], timeout: .seconds(30))
        record.expectEqual(inbox[0], Int64(previous) << 40, "the timed-out request completes later")
    }

    record.group("work while polling, freed sends") {
        // The runtime's heartbeats run in MPIEnvironment.whilePolling: it runs while a wait with
        // a deadline polls, may itself call MPI, and is not re-entered.
        var calls = 0, probes = 0
        world.environment.whilePolling = {
            calls += 1
            if (try? world.immediateProbe(Int32.self, from: previous, tag: 71)) != nil { probes += 1 }
        }
        record.expectMPIError("a receive with deadline still times out with a hook", { $0.isTimeout }) {
            _ = try world.receive(Float.self, from: previous, tag: 70, timeout: .milliseconds(20))
        }
        world.environment.whilePolling = nil
        record.expect(calls > 0, "the hook ran while the receive waited", "\(calls) calls")
        record.expectEqual(probes, 0, "nothing was sent with the hook's tag")
        // A freed send is handed to MPI: it still arrives, and nobody waits for it.
        let send = try world.immediateSend([Int32(rank * 3)], to: next, tag: 72)
        try send.free()
        record.expect(send.isComplete, "a freed send counts as complete")
        let message = try world.receive(Int32.self, from: previous, tag: 72, timeout: .seconds(30))
        record.expectEqual(message.values, [Int32(previous * 3)], "a freed send arrives")
        let receive = try world.immediateReceive(into: MPIBuffer<Int32>(repeating: 0, count: 1), from: previous, tag: 73)
        record.expectMPIError("only a send can be freed", { $0.operation == "MPI_Request_free" }) { try receive.free() }
        try world.send([Int32(0)], to: next, tag: 73)
        try receive.wait(timeout: .seconds(30))
    }
}
