import MPI

/// Finalization, run on every rank after the results were gathered.
func checkLifecycle(_ environment: MPIEnvironment, _ world: Communicator, _ record: CheckRecorder) {
    record.group("finalize") {
        try environment.finalize()
        record.expect(environment.isFinalized, "finalize marks the environment finalized")
    }
    record.expectMPIError("a second finalize is refused", { $0.operation == "MPI_Finalize" && $0.reason == .refused }) {
        try environment.finalize()
    }
    record.expectMPIError("initializing again after finalize is refused", { $0.operation == "MPI_Init_thread" && $0.reason == .refused }) {
        _ = try MPIEnvironment()
    }
    record.expectMPIError("a collective after finalize throws instead of calling MPI", { $0.operation == "MPI_Allreduce" && $0.reason == .refused }) {
        _ = try world.allReduce(1, op: .sum)
    }
}
