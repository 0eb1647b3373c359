import MPI

/// Splitting, duplicating and the error path.
func checkCommunicators(_ environment: MPIEnvironment, _ world: Communicator, _ record: CheckRecorder,
                        keepAlive: inout [Communicator]) {
    let rank = world.rank
    let size = world.size

    record.group("world") {
        record.expectEqual(try world.allGather(Int32(rank)), (0 ..< size).map { Int32($0) }, "world ranks are 0..<size")
        record.expectEqual(environment.worldSize, size, "environment world size")
        record.expect(environment.providedThreadLevel >= .funneled, "thread level granted", "\(environment.providedThreadLevel)")
    }

    record.group("split even/odd") {
        let parity = rank % 2
        let sameParity = (0 ..< size).filter { $0 % 2 == parity }
        guard let half = try world.split(color: parity, key: -rank) else {
            return record.expect(false, "split even/odd", "returned nil for a defined colour")
        }
        record.expectEqual(half.size, sameParity.count, "split size")
        record.expectEqual(half.rank, sameParity.reversed().firstIndex(of: rank) ?? -1, "split rank ordered by key")
        record.expectEqual(try half.allReduce(rank, op: .sum), sameParity.reduce(0, +), "allReduce on the split")
        keepAlive.append(half) // freed only after finalize: its deinit must make no MPI call
    }

    record.group("split undefined colour") {
        let others = try world.split(color: rank == 0 ? nil : 1)
        if rank == 0 {
            record.expect(others == nil, "split with undefined colour gives nil")
        } else {
            record.expectEqual(others?.size, size - 1, "split without rank 0")
            record.expectEqual(others?.rank, rank - 1, "split without rank 0, rank")
        }
    }

    record.group("split by node") {
        let node = try world.splitByNode()
        let myName = try environment.processorName()
        let names = try world.allGatherVariable(Array(myName.utf8)).map { String(decoding: $0, as: UTF8.self) }
        let sameHost = (0 ..< size).filter { names[$0] == myName }
        record.expectEqual(node.size, sameHost.count, "splitByNode size equals ranks on this host")
        record.expectEqual(node.rank, sameHost.firstIndex(of: rank) ?? -1, "splitByNode rank")
        record.expectEqual(try node.allReduce(1, op: .sum), sameHost.count, "allReduce on the node communicator")
    }

    record.group("duplicate") {
        let copy = try world.duplicate()
        record.expectEqual(copy.rank, rank, "duplicate rank")
        record.expectEqual(copy.size, size, "duplicate size")
        let next = (rank + 1) % size
        let previous = (rank + size - 1) % size
        let outgoing = try copy.immediateSend([UInt8(rank)], to: next, tag: 77)
        try copy.barrier() // the message has had time to arrive
        _ = try copy.probe(UInt8.self, from: previous, tag: 77)
        record.expect(try world.immediateProbe(UInt8.self, from: previous, tag: 77) == nil, "a message on the duplicate is invisible on the world")
        let message = try copy.receive(UInt8.self, from: previous, tag: 77)
        try outgoing.wait(timeout: .seconds(30))
        record.expectEqual(message.values, [UInt8(previous)], "message on the duplicate")
    }

    record.group("error path") {
        var values: [Float] = [1, 2]
        record.expectMPIError("broadcast from an invalid root throws MPIError naming MPI_Bcast", {
            $0.operation == "MPI_Bcast" && $0.code != nil && $0.description.contains("MPI_Bcast")
        }) {
            try world.broadcast(&values, root: size + 3)
        }
        record.expectMPIError("send to an invalid rank throws MPIError naming MPI_Send", { $0.operation == "MPI_Send" && $0.code != nil }) {
            try world.send([Int32(1)], to: size, tag: 0)
        }
        record.expectEqual(try world.allReduce(1, op: .sum), size, "the world still works after the errors")
    }
}
