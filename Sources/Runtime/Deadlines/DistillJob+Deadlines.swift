import TrainingCore

extension DistillJob {
    /// The deadline of the job's collectives after start-up (DDK boundary, per-step figures,
    /// teacher perplexity, benchmark): `training.collective_timeout_seconds`, default 900 s.
    ///
    /// The per-step gather also waits for the slowest student's whole step (its teacher wait
    /// included), so the same generous deadline serves it: a hang detector, not a step budget.
    public var collectiveDeadline: CollectiveDeadline {
        CollectiveDeadline(seconds: config.training.resolvedCollectiveTimeoutSeconds, worldRank: world.rank,
                           role: Self.roleName(layout.roles(ofRank: world.rank)), liveness: liveness)
    }

    /// The deadline of the students' gradient all-reduce: `teacher.timeout_seconds`, like every
    /// wait on a peer inside a step.
    public var gradientDeadline: CollectiveDeadline {
        CollectiveDeadline(seconds: config.teacher.timeoutSeconds, configKey: "teacher.timeout_seconds",
                           worldRank: world.rank, role: Self.roleName(layout.roles(ofRank: world.rank)), liveness: liveness)
    }

    /// The teacher pool's flow control: prefetch depth and the deadline of every wait on the
    /// peer inside a step (`teacher.timeout_seconds`), the same on both ends of each link.
    var poolFlowControl: PoolFlowControl {
        PoolFlowControl(prefetchDepth: config.teacher.prefetchDepth, timeoutSeconds: config.teacher.timeoutSeconds)
    }

    /// `training.gradient_sync`, or `nonblocking` when MPI did not grant the
    /// `MPI_THREAD_MULTIPLE` its communication thread needs (said in rank 0's first lines).
    var gradientSyncMode: GradientSyncMode {
        GradientSynchronizer.mode(config.training.resolvedGradientSync, granted: world.environment.providedThreadLevel)
    }
}
