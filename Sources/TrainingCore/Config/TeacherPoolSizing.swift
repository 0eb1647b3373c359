import Engine

/// The default size of the teacher pool (`teacher.ranks` unset): the share of the world
/// that balances teacher inference against student training. Per token the teacher's
/// forward costs `fT ≈ 2·paramsT` FLOPs and a student step `fS ≈ 6·paramsS`, so P teachers
/// keep S students busy when P/S ≈ fT/fS: P = round(W · fT / (fT + fS)), at least 1, and
/// at most one teacher per student: each student is served by exactly one teacher
/// (student i by teacher i mod P), so teachers beyond the students would sit idle. On shared
/// cores that cap costs little: a student waiting for its teacher sleeps between polls and
/// leaves the core to the teachers (README, "Performance → Where each rank's time goes").
public enum TeacherPoolSizing {
    public static func defaultTeacherRanks(worldSize: Int, teacher: some DecoderShape, student: LlamaConfig,
                                           sequenceLength: Int, coordinatorTrains: Bool) -> Int {
        guard worldSize > 1 else { return 0 }
        let teacherFlops = teacher.forwardFlopsPerToken(sequenceLength: sequenceLength)
        let studentFlops = student.flopsPerToken(sequenceLength: sequenceLength)
        let share = teacherFlops / (teacherFlops + studentFlops)
        let trainers = worldSize - (coordinatorTrains ? 0 : 1)  // teachers + students
        let maximum = max(1, trainers / 2)                          // no more teachers than students
        return max(1, min(maximum, Int((Double(worldSize) * share).rounded())))
    }
}
