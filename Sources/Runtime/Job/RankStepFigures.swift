/// What one member of `trainers` reports to rank 0 after a step, gathered as a flat
/// `[Double]` buffer (one `flatCount` block per member, in `trainers` order):
///
///     component sums (objective order) · teacher wait · all-reduce · step seconds · gradient norm · trains (1/0)
///
/// The figures are kept in that block, so what is gathered is exactly what was built;
/// the fields read it by name. Rank 0 when it does not train reports zeros with `trains` false.
public struct RankStepFigures: Equatable, Sendable {
    /// This member's block.
    public let flat: [Double]
    /// The objective's component count (the block's leading values).
    public let componentCount: Int

    public init(componentSums: [Double], teacherWaitSeconds: Double, allreduceSeconds: Double, stepSeconds: Double,
                gradientNorm: Double, trains: Bool) {
        flat = componentSums + [teacherWaitSeconds, allreduceSeconds, stepSeconds, gradientNorm, trains ? 1 : 0]
        componentCount = componentSums.count
    }

    /// Reads one member's block.
    public init(flat block: ArraySlice<Double>, componentCount: Int) {
        precondition(block.count == Self.flatCount(componentCount: componentCount), "step figures of another size")
        flat = Array(block)
        self.componentCount = componentCount
    }

    /// Summed loss components over this student's label tokens (objective order).
    public var componentSums: ArraySlice<Double> { flat[..<componentCount] }
    public var teacherWaitSeconds: Double { flat[componentCount] }
    public var allreduceSeconds: Double { flat[componentCount + 1] }
    public var stepSeconds: Double { flat[componentCount + 2] }
    /// Norm of the summed gradient before clipping (the same on every student).
    public var gradientNorm: Double { flat[componentCount + 3] }
    /// False on a rank 0 that only coordinates: its block is left out of the record.
    public var trains: Bool { flat[componentCount + 4] == 1 }

    /// The report of a member that does not train (rank 0 coordinating only).
    public static func notTraining(componentCount: Int) -> RankStepFigures {
        RankStepFigures(componentSums: [Double](repeating: 0, count: componentCount), teacherWaitSeconds: 0,
                        allreduceSeconds: 0, stepSeconds: 0, gradientNorm: 0, trains: false)
    }

    /// Values in one member's block.
    public static func flatCount(componentCount: Int) -> Int { componentCount + 5 }

    /// Every member's figures from rank 0's gathered buffer, in `trainers` order.
    public static func members(of gathered: [Double], componentCount: Int) -> [RankStepFigures] {
        let count = flatCount(componentCount: componentCount)
        precondition(gathered.count % count == 0, "gathered step figures are not whole blocks")
        return stride(from: 0, to: gathered.count, by: count).map {
            RankStepFigures(flat: gathered[$0..<$0 + count], componentCount: componentCount)
        }
    }
}
