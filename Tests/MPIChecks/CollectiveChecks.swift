import MPI

/// Every collective, against values each rank computes on its own.
func checkCollectives(_ world: Communicator, _ record: CheckRecorder) {
    let rank = world.rank
    let size = world.size
    let last = size - 1

    record.group("allReduce") {
        record.expectEqual(try world.allReduce(rank + 1, op: .sum), size * (size + 1) / 2, "allReduce scalar Int sum of rank+1")
        var inPlace: [Double] = [Double(rank), 1, Double(rank) * 0.5]
        try world.allReduce(&inPlace, op: .sum)
        let rankSum = Double(size * (size - 1) / 2)
        record.expectEqual(inPlace, [rankSum, Double(size), rankSum * 0.5], "allReduce in place Double sum")
        record.expectEqual(try world.allReduce([Int32(rank), Int32(-rank)], op: .max), [Int32(last), 0], "allReduce out of place Int32 max")
        record.expectEqual(try world.allReduce([Float(rank) + 0.5, 7], op: .min), [0.5, 7], "allReduce out of place Float min")
        record.expectEqual(try world.allReduce(UInt8(rank + 1), op: .max), UInt8(size), "allReduce UInt8 max")
        record.expectEqual(try world.allReduce(UInt16(1 << rank), op: .sum), UInt16((1 << size) - 1), "allReduce UInt16 sum of distinct bits")
        record.expectEqual(try world.allReduce(UInt64(rank) * 1_000_000_000_000, op: .sum),
                           UInt64(size * (size - 1) / 2) * 1_000_000_000_000, "allReduce UInt64 sum beyond 32 bits")
        let buffer = MPIBuffer<Int64>((0 ..< 6).map { Int64($0 * (rank + 1)) })
        try world.allReduce(buffer, range: 2 ..< 5, op: .sum)
        let factor = Int64(size * (size + 1) / 2)
        let expected: [Int64] = (0 ..< 6).map { index in (2 ..< 5).contains(index) ? Int64(index) * factor : Int64(index * (rank + 1)) }
        record.expectEqual(buffer.array, expected, "allReduce in place on a buffer range")
    }

    record.group("reduce") {
        // An array, not a Set: every rank must call the collectives in the same order.
        for root in (last == 0 ? [0] : [0, last]) {
            let squares = try world.reduce([Int64(rank * rank), 1], op: .sum, root: root)
            let expected: [Int64]? = rank == root ? [Int64((0 ..< size).map { $0 * $0 }.reduce(0, +)), Int64(size)] : nil
            record.expectEqual(squares, expected, "reduce sum of squares to root \(root)")
            record.expectEqual(try world.reduce(UInt32(rank), op: .max, root: root), rank == root ? UInt32(last) : nil, "reduce scalar max to root \(root)")
        }
    }

    record.group("broadcast") {
        let root = last
        var values = rank == root ? (0 ..< 5).map { Float(root * 10 + $0) } : [Float](repeating: -1, count: 5)
        try world.broadcast(&values, root: root)
        record.expectEqual(values, (0 ..< 5).map { Float(root * 10 + $0) }, "broadcast array in place from last rank")
        record.expectEqual(try world.broadcast(rank == 0 ? 4242 : -1, root: 0), 4242, "broadcast scalar from rank 0")
        let text = "config from rank \(root) " + String(repeating: "x", count: root)
        let received = try world.broadcastVariable(rank == root ? Array(text.utf8) : [], root: root)
        record.expectEqual(String(decoding: received, as: UTF8.self), text, "broadcastVariable of bytes")
        let weights = MPIBuffer<Double>(repeating: rank == 0 ? 0.25 : 0, count: 4)
        try world.broadcast(weights, root: 0)
        record.expectEqual(weights.array, [0.25, 0.25, 0.25, 0.25], "broadcast MPIBuffer")
    }

    record.group("gather") {
        let gathered = try world.gather([Int32(rank), Int32(rank * 2)], root: 0)
        let expected: [Int32]? = rank == 0 ? (0 ..< size).flatMap { [Int32($0), Int32($0 * 2)] } : nil
        record.expectEqual(gathered, expected, "gather two values per rank to rank 0")
        let variable = try world.gatherVariable([Double](repeating: Double(rank), count: rank), root: last)
        let expectedVariable: [[Double]]? = rank == last ? (0 ..< size).map { [Double](repeating: Double($0), count: $0) } : nil
        record.expectEqual(variable, expectedVariable, "gatherVariable of rank-dependent lengths (rank 0 sends none)")
        record.expectEqual(try world.allGather(UInt16(rank + 100)), (0 ..< size).map { UInt16($0 + 100) }, "allGather scalar")
        record.expectEqual(try world.allGather([Float(rank), -Float(rank)]), (0 ..< size).flatMap { [Float($0), -Float($0)] }, "allGather arrays")
        let allVariable = try world.allGatherVariable((0 ..< (rank % 3 + 1)).map { Int32(rank * 10 + $0) })
        record.expectEqual(allVariable, (0 ..< size).map { r in (0 ..< (r % 3 + 1)).map { Int32(r * 10 + $0) } }, "allGatherVariable of rank-dependent lengths")
    }

    record.group("scatter") {
        let source = rank == 0 ? (0 ..< size * 3).map { Int64($0 * $0) } : []
        let block = try world.scatter(source, countPerRank: 3, root: 0)
        record.expectEqual(block, (0 ..< 3).map { Int64((rank * 3 + $0) * (rank * 3 + $0)) }, "scatter three per rank from rank 0")
    }

    record.group("immediateAllReduce") {
        let count = 10_000
        let gradients = MPIBuffer<Float>(repeating: Float(rank + 1), count: count)
        let firstHalf = try world.immediateAllReduce(gradients, range: 0 ..< count / 2, op: .sum)
        let secondHalf = try world.immediateAllReduce(gradients, range: count / 2 ..< count, op: .max)
        // Overlap: compute while the reductions are in flight, letting MPI progress.
        var accumulator: Double = 0
        for step in 0 ..< 200_000 {
            accumulator += Double(step % 7) * 0.5
            if step % 10_000 == 0 { _ = try firstHalf.test() }
        }
        record.expectEqual(accumulator, (0 ..< 200_000).reduce(0.0) { $0 + Double($1 % 7) * 0.5 }, "computation overlapped with immediateAllReduce")
        try Request.waitAll([firstHalf, secondHalf], timeout: .seconds(30))
        let sum = Float(size * (size + 1) / 2)
        record.expect(gradients.prefix(count / 2).allSatisfy { $0 == sum }, "immediateAllReduce sum bucket", "expected \(sum), got \(gradients[0])")
        record.expect(gradients.suffix(count / 2).allSatisfy { $0 == Float(size) }, "immediateAllReduce max bucket", "expected \(size), got \(gradients[count - 1])")
        record.expect(firstHalf.isComplete && secondHalf.isComplete, "immediateAllReduce requests complete")
    }

    record.group("barrier") {
        try world.barrier()
        record.expect(true, "barrier returns")
    }
}
