import TrainingCore

/// Rank 0's part, whatever its role (`RankRole`): it decides the DDK weights and keeps the
/// run's log. Exists on rank 0 only.
struct CoordinatorPart {
    let weighting: DDKCoordinator
    let metrics: MetricsLog
    let progress: ProgressPrinter
}
