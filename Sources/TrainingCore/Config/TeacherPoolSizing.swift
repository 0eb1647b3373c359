import Engine

/// The default size of the teacher pool (`teacher.ranks` unset): the share of the world
/// that balances teacher inference against student training. Per token the teacher's
/// forward costs `fT ≈ 2·paramsT` FLOPs and a student step `fS ≈ 6·paramsS`, so P teachers
/// keep S students busy when P/S ≈ fT/fS: P = round(W · fT / (fT + fS)), at least 1 and
/// leaving at least one student.
public enum TeacherPoolSizing {
    public static func defaultTeacherRanks(worldSize: Int, teacher: some DecoderShape, student: LlamaConfig,
                                           sequenceLength: Int, coordinatorTrains: Bool) -> Int {
        guard worldSize > 1 else { return 0 }
        let teacherFlops = teacher.forwardFlopsPerToken(sequenceLength: sequenceLength)
        let studentFlops = student.flopsPerToken(sequenceLength: sequenceLength)
        let share = teacherFlops / (teacherFlops + studentFlops)
        let maximum = worldSize - (coordinatorTrains ? 1 : 2)
        return max(1, min(maximum, Int((Double(worldSize) * share).rounded())))
    }
}
