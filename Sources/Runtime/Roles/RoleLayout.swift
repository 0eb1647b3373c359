/// Which rank does what in one distillation job.
///
/// The layout is a pure function of the world size and the requested roles, so every
/// rank computes the same layout without being told (docs/RUNTIME_DESIGN.md, "Ranks and
/// communicators"):
///
///     rank 0                  coordinator, and a student unless `coordinatorTrains` is false
///     ranks 1 ... P           the teacher-inference pool (P = `teacherCount`)
///     ranks P+1 ... W-1       students
///
/// A single process (world size 1) runs every role itself, for debugging.
public struct RoleLayout: Equatable, Sendable, CustomStringConvertible {
    /// The number of processes in the job.
    public let worldSize: Int
    /// World ranks of the teacher pool, in pool order.
    public let teacherRanks: [Int]
    /// World ranks of the students, in data-parallel order (student index = position).
    public let studentRanks: [Int]
    /// Whether rank 0 trains as a student besides coordinating.
    public let coordinatorTrains: Bool

    /// The rank that aggregates domain losses, computes DDK weights and writes metrics.
    public var coordinatorRank: Int { 0 }

    /// True when one process holds every role (no MPI launcher, or `-np 1`).
    public var isSingleProcess: Bool { worldSize == 1 }

    /// Lays out the roles, or explains in one line why the world cannot hold them.
    ///
    /// - Parameters:
    ///   - worldSize: processes in the job.
    ///   - teacherCount: size of the teacher pool; 0 is allowed only when the objective
    ///     needs no teacher (`ce`) or when the whole job is one process.
    ///   - coordinatorTrains: whether rank 0 is also a student.
    ///   - needsTeacher: whether the objective needs teacher outputs.
    public init(worldSize: Int, teacherCount: Int, coordinatorTrains: Bool = true,
                needsTeacher: Bool = true) throws {
        guard worldSize >= 1 else { throw RoleLayoutError.emptyWorld }
        guard teacherCount >= 0 else { throw RoleLayoutError.negativeTeacherCount(teacherCount) }
        self.worldSize = worldSize
        self.coordinatorTrains = coordinatorTrains

        if worldSize == 1 {
            // Debug mode: the one process is coordinator, teacher and student.
            teacherRanks = needsTeacher ? [0] : []
            studentRanks = [0]
            return
        }
        if needsTeacher && teacherCount == 0 {
            throw RoleLayoutError.noTeacher(worldSize: worldSize)
        }
        let firstStudent = 1 + teacherCount
        let students = (coordinatorTrains ? [0] : []) + Array(min(firstStudent, worldSize)..<worldSize)
        guard firstStudent <= worldSize, !students.isEmpty else {
            throw RoleLayoutError.worldTooSmall(worldSize: worldSize, teachers: teacherCount,
                                                coordinatorTrains: coordinatorTrains)
        }
        teacherRanks = Array(1..<firstStudent)
        studentRanks = students
    }

    /// The roles of one world rank.
    public func roles(ofRank rank: Int) -> Set<Role> {
        var roles: Set<Role> = []
        if rank == coordinatorRank { roles.insert(.coordinator) }
        if teacherRanks.contains(rank) { roles.insert(.teacher) }
        if studentRanks.contains(rank) { roles.insert(.student) }
        return roles
    }

    /// The position of `rank` among the students, or nil when it is not a student.
    public func studentIndex(ofRank rank: Int) -> Int? { studentRanks.firstIndex(of: rank) }

    /// The position of `rank` in the teacher pool, or nil when it is not a teacher.
    public func teacherIndex(ofRank rank: Int) -> Int? { teacherRanks.firstIndex(of: rank) }

    /// The teacher rank that serves a student: student `i` is served by teacher `i mod P`,
    /// which spreads the students evenly over the pool. Nil when the job has no teacher.
    public func teacherRank(servingStudentIndex studentIndex: Int) -> Int? {
        guard !teacherRanks.isEmpty else { return nil }
        return teacherRanks[studentIndex % teacherRanks.count]
    }

    /// The student indices a teacher rank serves, in increasing order.
    public func studentIndices(servedByTeacherRank rank: Int) -> [Int] {
        guard let teacher = teacherIndex(ofRank: rank) else { return [] }
        return studentRanks.indices.filter { $0 % teacherRanks.count == teacher }
    }

    public var description: String {
        let coordinator = coordinatorTrains ? "rank 0 coordinator+student" : "rank 0 coordinator"
        return "\(worldSize) ranks: \(coordinator), teachers \(teacherRanks), students \(studentRanks)"
    }
}

/// What a rank does in the job; a rank may hold several roles.
public enum Role: String, Hashable, Sendable, CaseIterable {
    case coordinator, teacher, student
}

/// Why a world cannot hold the requested roles.
public enum RoleLayoutError: Error, Equatable, CustomStringConvertible {
    case emptyWorld
    case negativeTeacherCount(Int)
    case noTeacher(worldSize: Int)
    case worldTooSmall(worldSize: Int, teachers: Int, coordinatorTrains: Bool)

    public var description: String {
        switch self {
        case .emptyWorld:
            return "the world has no ranks"
        case .negativeTeacherCount(let count):
            return "teacher count \(count) is negative; ask for 1 or more teacher ranks"
        case .noTeacher(let worldSize):
            return "this objective needs a teacher but no teacher rank was requested for \(worldSize) ranks; "
                + "set teacher.ranks to 1 or more, or use objective \"ce\""
        case .worldTooSmall(let worldSize, let teachers, let coordinatorTrains):
            let needed = 1 + teachers + (coordinatorTrains ? 0 : 1)
            return "\(worldSize) ranks cannot hold rank 0, \(teachers) teacher rank(s) and at least one student "
                + "(needs \(needed) or more); start more ranks or ask for fewer teachers"
        }
    }
}
