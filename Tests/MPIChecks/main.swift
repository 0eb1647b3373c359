// mpi-checks: the multi-rank checks of the MPI module. Run it under mpirun
// with any number of ranks (Tests/MPIChecks/mpi-checks.sh runs 1 to 4). Every rank
// computes its expected values on its own; the counts and failure lines are
// gathered to rank 0, which prints the failures and one final line
// `mpi-checks: N passed, M failed`. The exit code is non-zero on any failure.
// With `--abort` it checks nothing: the last rank calls abort(code: 7).
import MPI

#if canImport(Glibc)
import Glibc
#endif

func runChecks() -> Int32 {
    let environment: MPIEnvironment
    do {
        environment = try MPIEnvironment(threadLevel: .funneled)
    } catch {
        print("mpi-checks: cannot initialize MPI: \(error)")
        return 2
    }
    let world = environment.world
    if CommandLine.arguments.contains("--abort") {
        // mpi-checks.sh checks that abort(code:) on the last rank ends the whole job
        // with the code, while the other ranks wait in a barrier.
        if world.rank == world.size - 1 { environment.abort(code: 7) }
        try? world.barrier()
        return 0
    }
    let record = CheckRecorder(rank: world.rank)
    var keepAlive: [Communicator] = []

    checkCollectives(world, record)
    checkImmediateCollectives(world, record)
    checkPointToPoint(world, record)
    checkCommunicators(environment, world, record, keepAlive: &keepAlive)

    // Totals and failure lines to rank 0 (the reporting itself uses reduce and gatherVariable).
    var passed = 0
    var failed = 0
    var lines: [String] = []
    do {
        let counts = try world.reduce([record.passed, record.failures.count], op: .sum, root: 0)
        let text = record.failures.joined(separator: "\n")
        let gathered = try world.gatherVariable(Array(text.utf8), root: 0)
        if let counts, let gathered {
            passed = counts[0]
            failed = counts[1]
            lines = gathered.map { String(decoding: $0, as: UTF8.self) }.filter { !$0.isEmpty }
        }
    } catch {
        print("mpi-checks: rank \(world.rank): gathering the results failed: \(error)")
        environment.abort(code: 3)
    }

    // Lifecycle checks after finalize are local: rank 0 counts its own, other
    // ranks report a failure on standard output and through their exit code.
    let lifecycle = CheckRecorder(rank: world.rank)
    checkLifecycle(environment, world, lifecycle)
    keepAlive.removeAll()
    if world.rank != 0 {
        for line in lifecycle.failures { print(line) }
        return lifecycle.failures.isEmpty ? 0 : 1
    }
    passed += lifecycle.passed
    failed += lifecycle.failures.count
    for line in lines + lifecycle.failures { print("FAIL \(line)") }
    print("mpi-checks: \(passed) passed, \(failed) failed")
    return failed == 0 ? 0 : 1
}

exit(runChecks())
