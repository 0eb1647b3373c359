import MPI
#if canImport(Glibc)
import Glibc
#endif

/// The non-blocking collectives (`immediateBroadcast`, `immediateReduce`, `immediateGather`,
/// `immediateAllGather`, `immediateBarrier`), and deadlines that pass: one rank joins late,
/// the ranks that need it see `wait(timeout:)` throw in time, then every rank completes.
func checkImmediateCollectives(_ world: Communicator, _ record: CheckRecorder) {
    let rank = world.rank
    let size = world.size
    let last = size - 1

    record.group("immediateBroadcast") {
        let buffer = MPIBuffer<Double>((0 ..< 6).map { rank == last ? Double(100 + $0) : -1 })
        let request = try world.immediateBroadcast(buffer, range: 1 ..< 5, root: last)
        try request.wait(timeout: .seconds(30))
        let expected: [Double] = (0 ..< 6).map { (1 ..< 5).contains($0) ? Double(100 + $0) : (rank == last ? Double(100 + $0) : -1) }
        record.expectEqual(buffer.array, expected, "immediateBroadcast of a range from the last rank")
        record.expect(request.isComplete, "immediateBroadcast request complete")
    }

    record.group("immediateReduce") {
        for root in (last == 0 ? [0] : [0, last]) {
            let source = MPIBuffer<Int64>([Int64(rank * rank), 1, Int64(-rank)])
            let result = rank == root ? MPIBuffer<Int64>(zeroedCount: 3) : nil
            try world.immediateReduce(source, into: result, op: .sum, root: root).wait(timeout: .seconds(30))
            if let result {
                let squares = Int64((0 ..< size).map { $0 * $0 }.reduce(0, +))
                record.expectEqual(result.array, [squares, Int64(size), -Int64(size * (size - 1) / 2)], "immediateReduce sum to root \(root)")
            }
            let maximum = rank == root ? MPIBuffer<Float>(zeroedCount: 1) : nil
            try world.immediateReduce(MPIBuffer<Float>([Float(rank) + 0.5]), into: maximum, op: .max, root: root).wait(timeout: .seconds(30))
            if let maximum { record.expectEqual(maximum.array, [Float(last) + 0.5], "immediateReduce max to root \(root)") }
        }
    }

    record.group("immediateGather and immediateAllGather") {
        let source = MPIBuffer<Int32>([Int32(rank), Int32(rank * 2)])
        let result = rank == last ? MPIBuffer<Int32>(zeroedCount: 2 * size) : nil
        let gather = try world.immediateGather(source, into: result, root: last)
        // Overlap: compute while the gather is in flight, testing now and then.
        var accumulator = 0
        for step in 0 ..< 100_000 {
            accumulator &+= step % 5
            if step % 10_000 == 0 { _ = try gather.test() }
        }
        try gather.wait(timeout: .seconds(30))
        record.expectEqual(accumulator, 200_000, "computation overlapped with immediateGather")
        if let result {
            record.expectEqual(result.array, (0 ..< size).flatMap { [Int32($0), Int32($0 * 2)] }, "immediateGather two values per rank to the last rank")
        }
        let everyone = MPIBuffer<UInt64>(zeroedCount: size)
        try world.immediateAllGather(MPIBuffer<UInt64>([UInt64(rank) << 40]), into: everyone).wait(timeout: .seconds(30))
        record.expectEqual(everyone.array, (0 ..< size).map { UInt64($0) << 40 }, "immediateAllGather one UInt64 per rank")
    }

    record.group("immediateBarrier") {
        try world.immediateBarrier().wait(timeout: .seconds(30))
        record.expect(true, "immediateBarrier completes")
    }

    record.group("immediate collectives refuse wrong result buffers before calling MPI") {
        // Refused on every rank alike (each is the root of its own call), so no rank starts a collective.
        record.expectMPIError("immediateGather refuses a root without a result buffer", { $0.operation == "MPI_Igather" && $0.code == nil }) {
            _ = try world.immediateGather(MPIBuffer<Int32>([1]), into: nil, root: rank)
        }
        record.expectMPIError("immediateReduce refuses a result of the wrong size", { $0.operation == "MPI_Ireduce" && $0.code == nil }) {
            _ = try world.immediateReduce(MPIBuffer<Double>([1, 2]), into: MPIBuffer<Double>(zeroedCount: 3), op: .sum, root: rank)
        }
        record.expectMPIError("immediateAllGather refuses a result of the wrong size", { $0.operation == "MPI_Iallgather" && $0.code == nil }) {
            _ = try world.immediateAllGather(MPIBuffer<Double>([1]), into: MPIBuffer<Double>(zeroedCount: size + 1))
        }
    }

    checkDeadlines(world, record)
    checkTimedOutReceiveDrop(world, record)
}

/// One rank (`late`) joins each collective half a second after the others. Every rank that
/// needs the late rank's part must see `wait(timeout: 50 ms)` throw a timeout within 0.4 s;
/// then it waits again and the collective completes everywhere with the right values.
private func checkDeadlines(_ world: Communicator, _ record: CheckRecorder) {
    let rank = world.rank
    let size = world.size
    let late = size - 1
    let delayMicroseconds: UInt32 = 500_000
    let clock = ContinuousClock()

    /// Waits with a short deadline: must time out on a rank that `needsLate` (when it is not
    /// the late rank itself), and is then completed with a long deadline.
    func expectTimeoutThenComplete(_ request: Request, _ name: String, needsLate: Bool) throws {
        if rank == late || !needsLate {
            try request.wait(timeout: .seconds(30))
            return
        }
        let started = clock.now
        record.expectMPIError("\(name): wait(timeout:) throws while rank \(late) is late", {
            $0.isTimeout && $0.operation == request.operation
        }) {
            try request.wait(timeout: .milliseconds(50))
        }
        let waited = clock.now - started
        record.expect(waited >= .milliseconds(50) && waited < .milliseconds(400), "\(name): the timeout comes in time",
                      "it came after \(waited)")
        try request.wait(timeout: .seconds(30))
        record.expect(request.isComplete, "\(name): completes once rank \(late) joins")
    }

    record.group("deadline: immediateBarrier with a late rank") {
        if rank == late { usleep(delayMicroseconds) }
        try expectTimeoutThenComplete(try world.immediateBarrier(), "immediateBarrier", needsLate: true)
    }

    record.group("deadline: immediateBroadcast from a late root") {
        if rank == late { usleep(delayMicroseconds) }
        let buffer = MPIBuffer<Int32>(repeating: rank == late ? 77 : 0, count: 3)
        try expectTimeoutThenComplete(try world.immediateBroadcast(buffer, root: late), "immediateBroadcast", needsLate: true)
        record.expectEqual(buffer.array, [77, 77, 77], "immediateBroadcast from a late root delivers")
    }

    record.group("deadline: immediateReduce to rank 0 with a late rank") {
        if rank == late { usleep(delayMicroseconds) }
        let result = rank == 0 ? MPIBuffer<Double>(zeroedCount: 1) : nil
        let request = try world.immediateReduce(MPIBuffer<Double>([Double(rank + 1)]), into: result, op: .sum, root: 0)
        // Only the root surely needs the late rank; other ranks may finish their part first.
        try expectTimeoutThenComplete(request, "immediateReduce", needsLate: rank == 0)
        if let result { record.expectEqual(result.array, [Double(size * (size + 1) / 2)], "immediateReduce with a late rank sums") }
    }

    record.group("deadline: immediateGather to rank 0 with a late rank") {
        if rank == late { usleep(delayMicroseconds) }
        let result = rank == 0 ? MPIBuffer<UInt64>(zeroedCount: size) : nil
        let request = try world.immediateGather(MPIBuffer<UInt64>([UInt64(rank) * 3]), into: result, root: 0)
        try expectTimeoutThenComplete(request, "immediateGather", needsLate: rank == 0)
        if let result { record.expectEqual(result.array, (0 ..< size).map { UInt64($0) * 3 }, "immediateGather with a late rank") }
    }

    record.group("deadline: immediateAllGather with a late rank") {
        if rank == late { usleep(delayMicroseconds) }
        let result = MPIBuffer<Int64>(zeroedCount: size)
        try expectTimeoutThenComplete(try world.immediateAllGather(MPIBuffer<Int64>([Int64(-rank)]), into: result),
                                      "immediateAllGather", needsLate: true)
        record.expectEqual(result.array, (0 ..< size).map { Int64(-$0) }, "immediateAllGather with a late rank")
    }

    record.group("deadline: a timed-out collective request dropped does not wait in deinit") {
        // On a duplicate, so the abandoned barrier cannot match a later collective on the world.
        let copy = try world.duplicate()
        if rank == late {
            usleep(delayMicroseconds)
            // The others abandoned their requests, but MPI progresses them whenever they call it.
            try copy.immediateBarrier().wait(timeout: .seconds(30))
            record.expect(true, "the late rank's barrier completes after the others dropped theirs")
        } else {
            let started = clock.now
            do {
                let request = try copy.immediateBarrier()
                record.expectMPIError("abandoned barrier times out", { $0.isTimeout }) {
                    try request.wait(timeout: .milliseconds(50))
                }
            }  // the request is dropped here, pending
            let elapsed = clock.now - started
            record.expect(elapsed < .milliseconds(400), "dropping a timed-out collective request returns at once",
                          "it took \(elapsed) (deinit waited for the late rank)")
        }
        try world.immediateBarrier().wait(timeout: .seconds(30))
    }
}

/// A receive given up at its deadline and dropped is cancelled at once (not waited for), and
/// does not take a later message with the same tag.
func checkTimedOutReceiveDrop(_ world: Communicator, _ record: CheckRecorder) {
    let rank = world.rank
    let size = world.size
    let next = (rank + 1) % size
    let previous = (rank + size - 1) % size
    let clock = ContinuousClock()

    record.group("deadline: a timed-out receive dropped is cancelled") {
        let started = clock.now
        do {
            let request = try world.immediateReceive(into: MPIBuffer<Int32>(repeating: -1, count: 1), from: previous, tag: 90)
            record.expectMPIError("receive times out while nothing is sent", { $0.isTimeout && $0.operation == "MPI_Irecv" }) {
                try request.wait(timeout: .milliseconds(20))
            }
        }  // dropped here, still pending
        let elapsed = clock.now - started
        record.expect(elapsed < .milliseconds(400), "dropping a timed-out receive returns at once", "it took \(elapsed)")
        try world.immediateBarrier().wait(timeout: .seconds(30))  // every rank has dropped its receive
        let outgoing = try world.immediateSend([Int32(rank + 40)], to: next, tag: 90)
        let message = try world.receive(Int32.self, from: previous, tag: 90, timeout: .seconds(30))
        try outgoing.wait(timeout: .seconds(30))
        record.expectEqual(message.values, [Int32(previous + 40)], "the dropped receive did not take the later message")
    }
}
