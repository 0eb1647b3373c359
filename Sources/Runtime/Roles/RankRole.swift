import TrainingCore

/// What a rank does between the DDK boundaries (besides coordinating, on rank 0: see
/// `CoordinatorPart`). Each case holds what its work needs.
enum RankRole {
    /// Trains its share of every global batch (also the one process of a world of 1).
    case student(StudentPart)
    /// Serves the teacher's outputs to its students.
    case teacher(TeacherPart)
    /// Only advances the plan in lockstep: rank 0 when it does not train, a teacher rank of
    /// a job whose objective needs no teacher (`ce`).
    case idle

    /// The student part, on a student rank.
    var student: StudentPart? {
        if case .student(let part) = self { return part }
        return nil
    }
}

/// A student rank's model, optimizer and data-parallel step, and its source of teacher outputs.
struct StudentPart {
    /// The position among the students (student 0 writes the checkpoints).
    let index: Int
    let trainer: StudentTrainer
    /// The trainer's gradient sum over the students (nil on the only student).
    let synchronizer: GradientSynchronizer?
    /// Nil when the objective needs no teacher (`ce`).
    let channel: TeacherChannel?
    /// On rank 0 under `--check-gradient`: what the check compares against after step 0.
    let gradientCheck: GradientCheckBaseline?
    /// Student 0: the hash of the model's weights before step 1 (from the checkpoint when
    /// resuming), which every checkpoint records (`RunState.initialWeightsHash`).
    let initialWeightsHash: String?
}

/// A teacher rank of the pool: the loaded teacher and the service that sends its outputs.
struct TeacherPart {
    let worker: TeacherWorker
    let service: TeacherService
}
