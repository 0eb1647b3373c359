/// Predicts the distillation job's step time on a cluster from figures measured on one
/// machine (`MeasuredFigures`), for any rank count and teacher:student split.
///
/// One step, in steady state (the teacher pool computes ahead with its credits, so teacher
/// work overlaps the students'):
///
///     student path   = per-student tokens × student seconds per token × slowdown
///                      + gradient all-reduce (AllReduceCost; after backward, not overlapped)
///     teacher        = the busiest teacher's tokens / teacher tokens/s × slowdown
///     messages       = the busiest node link's teacher messages / link bandwidth + latency
///     step           = max(student path, teacher, messages)
///     with boundaries = step + (validation pass / students × slowdown + one teacher step
///                       to refill the drained pool) / K
///
/// The slowdowns are 1 unless ranks (and other work) outnumber cores: then a computing rank
/// shares the cores with the others computing at the same moment: every student while the
/// students compute (they step in lockstep), the teachers by the share of the step they
/// compute (a waiting rank sleeps in its poll loop and leaves its core to others), and the
/// cores other work keeps busy; found by fixed-point iteration. Ranks fill nodes in order,
/// rank 0 first (`RoleLayout`).
public struct ScalingModel: Sendable {
    public let figures: MeasuredFigures
    public let cluster: ClusterDescription
    public let algorithm: AllReduceAlgorithm
    /// The global batch (tokens) every layout splits; nil: each student keeps the measured
    /// per-rank batch and the global batch grows with the students (weak scaling).
    public let globalBatchTokens: Int?

    public init(figures: MeasuredFigures, cluster: ClusterDescription, algorithm: AllReduceAlgorithm = .binomial,
                globalBatchTokens: Int? = nil) throws {
        try figures.validate()
        try cluster.validate()
        if let globalBatchTokens, globalBatchTokens <= 0 { throw ScalingModelError.invalidFigure("global batch tokens must be > 0") }
        self.figures = figures
        self.cluster = cluster
        self.algorithm = algorithm
        self.globalBatchTokens = globalBatchTokens
    }

    /// Tokens each student trains on per step.
    func tokensPerStudent(students: Int) -> Double {
        globalBatchTokens.map { Double($0) / Double(students) } ?? Double(figures.studentBatchTokens)
    }

    /// The prediction for one layout.
    public func predict(_ layout: PlannedLayout) throws -> ScalingPrediction {
        try layout.validate(needsTeacher: figures.needsTeacher, cluster: cluster)
        let work = StepWork(layout: layout, model: self)
        var slowdown = work.nextSlowdown(stepSeconds: nil, slowdown: ComputeSlowdown(students: 1, teachers: 1))
        for _ in 0..<200 {  // damped: half way to the next estimate (it converges from above)
            let step = work.times(slowdown: slowdown).stepSeconds
            let next = work.nextSlowdown(stepSeconds: step, slowdown: slowdown)
            if next.distance(to: slowdown) < 1e-12 {
                slowdown = next
                break
            }
            slowdown = slowdown.halfWay(to: next)
        }
        let reference = try singleRankTokensPerSecond()
        return work.prediction(slowdown: slowdown, singleRankTokensPerSecond: reference)
    }

    /// One rank alone on a whole core: the reference of the scaling efficiency.
    public func singleRankTokensPerSecond() throws -> Double {
        var alone = cluster
        alone.coresPerNode = max(1, cluster.coresPerNode)
        alone.sharedCores = false
        let model = try ScalingModel(figures: figures, cluster: alone, algorithm: algorithm, globalBatchTokens: globalBatchTokens)
        let work = StepWork(layout: PlannedLayout(ranks: 1, teacherRanks: 0, coordinatorTrains: true), model: model)
        let times = work.times(slowdown: ComputeSlowdown(students: 1, teachers: 1))
        return work.globalTokens / times.stepSecondsWithBoundaries
    }

    /// The teacher:student split of `ranks` with the most student tokens/s.
    public func bestSplit(ranks: Int) throws -> ScalingPrediction {
        let layouts: [PlannedLayout]
        if ranks == 1 || !figures.needsTeacher {
            layouts = [PlannedLayout(ranks: ranks, teacherRanks: 0, coordinatorTrains: figures.coordinatorTrains)]
        } else {
            let most = ranks - (figures.coordinatorTrains ? 1 : 2)
            guard most >= 1 else { throw ScalingModelError.invalidLayout("\(ranks) ranks leave no room for a teacher and a student") }
            layouts = (1...most).map { PlannedLayout(ranks: ranks, teacherRanks: $0, coordinatorTrains: figures.coordinatorTrains) }
        }
        let predictions = try layouts.map(predict)
        return predictions.max { $0.studentTokensPerSecond < $1.studentTokensPerSecond }!
    }

    /// The best split for every power of two up to the cluster's ranks (at most `maximumRanks`).
    public func table(maximumRanks: Int = 1024) throws -> ScalingTable {
        var rows: [ScalingPrediction] = []
        var ranks = 1
        while ranks <= min(maximumRanks, cluster.totalRanks) {
            if let best = try? bestSplit(ranks: ranks) { rows.append(best) }
            ranks *= 2
        }
        return ScalingTable(cluster: cluster, allreduceAlgorithm: algorithm,
                            singleRankTokensPerSecond: try singleRankTokensPerSecond(), rows: rows)
    }
}
