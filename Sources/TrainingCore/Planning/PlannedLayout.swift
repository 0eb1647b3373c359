/// One job's ranks on a cluster, as `ddk distill` lays them out (`RoleLayout`): rank 0
/// coordinates (and trains unless told not to), ranks 1…T are the teacher pool, the rest are
/// students; student i is served by teacher i mod T; ranks fill the nodes in order.
public struct PlannedLayout: Codable, Equatable, Sendable {
    public var ranks: Int
    public var teacherRanks: Int
    public var coordinatorTrains: Bool

    public init(ranks: Int, teacherRanks: Int, coordinatorTrains: Bool = true) {
        self.ranks = ranks
        self.teacherRanks = teacherRanks
        self.coordinatorTrains = coordinatorTrains
    }

    /// One process runs every role (no pool, no all-reduce).
    public var isSingleProcess: Bool { ranks == 1 }

    /// World ranks of the students, in student order.
    public var studentRankList: [Int] {
        if isSingleProcess { return [0] }
        return (coordinatorTrains ? [0] : []) + Array(min(ranks, 1 + teacherRanks)..<ranks)
    }

    public var studentCount: Int { studentRankList.count }

    /// World rank of teacher `index` (0-based) of the pool.
    public func teacherRank(_ index: Int) -> Int { 1 + index }

    /// The pool index of the teacher serving student `studentIndex`.
    public func teacherIndex(servingStudent studentIndex: Int) -> Int { studentIndex % teacherRanks }

    /// Refuses a layout `ddk distill` would refuse, or one the cluster cannot hold.
    public func validate(needsTeacher: Bool, cluster: ClusterDescription) throws {
        guard ranks >= 1 else { throw ScalingModelError.invalidLayout("ranks must be ≥ 1") }
        guard ranks <= cluster.totalRanks else {
            throw ScalingModelError.invalidLayout("\(ranks) ranks do not fit \(cluster.nodes) nodes × \(cluster.ranksPerNode) ranks")
        }
        if isSingleProcess { return }
        guard teacherRanks >= 0, teacherRanks < ranks else { throw ScalingModelError.invalidLayout("teacher ranks must be 0…\(ranks - 1)") }
        if needsTeacher && teacherRanks == 0 { throw ScalingModelError.invalidLayout("the objective needs at least one teacher rank") }
        if !needsTeacher && teacherRanks > 0 { throw ScalingModelError.invalidLayout("a ce job has no teacher pool (teacher ranks 0)") }
        guard studentCount >= 1 else { throw ScalingModelError.invalidLayout("\(ranks) ranks with \(teacherRanks) teachers leave no student") }
    }
}
