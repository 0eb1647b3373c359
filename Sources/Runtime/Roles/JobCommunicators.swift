import MPI

/// The communicators of one job, split from the world by role (docs/RUNTIME_DESIGN.md):
///
///     world      every rank: config agreement, DDK weights, teacher perplexity
///     students   the student ranks: gradient all-reduce
///     trainers   the students and rank 0: per-step figures and validation losses to rank 0
///
/// Rank order inside `students` and `trainers` follows the world rank, so student index
/// `i` is rank `i` of `students`, and rank 0 is rank 0 of `trainers`.
public final class JobCommunicators {
    public let world: Communicator
    /// Nil on ranks that do not train.
    public let students: Communicator?
    /// Nil on teacher ranks (rank 0 is always a member).
    public let trainers: Communicator?
    /// World ranks of the `trainers` members, in their order there.
    public let trainerRanks: [Int]

    /// Splits `world` (a collective on `world`: every rank calls it once).
    public init(world: Communicator, layout: RoleLayout) throws {
        self.world = world
        let rank = world.rank
        let isStudent = layout.studentRanks.contains(rank)
        students = try world.split(color: isStudent ? 0 : nil, key: rank)
        trainers = try world.split(color: (isStudent || rank == layout.coordinatorRank) ? 0 : nil, key: rank)
        trainerRanks = Array(Set(layout.studentRanks + [layout.coordinatorRank])).sorted()
    }
}
