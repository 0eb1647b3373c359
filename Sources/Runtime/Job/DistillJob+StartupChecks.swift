import DataPipeline
import Engine

extension DistillJob {
    /// The start-up refusals that every rank would reach alike, made once by rank 0 before
    /// the config is broadcast (so the user reads one line, not one per rank): the objective
    /// is known, the world holds the roles, the student and the teacher share a vocabulary,
    /// and the prepared shards were made by the teacher's tokenizer (and are complete).
    ///
    /// A problem only some ranks see (a shard missing on one node) is still found by those
    /// ranks when they open the data, and reported by them.
    public static func checkStartup(_ config: DistillConfig, worldSize: Int, teacher: TeacherModelSource) throws {
        let objective = try StudentObjective(section: config.objective)
        _ = try RoleLayout(worldSize: worldSize, teacherCount: config.teacher.ranks ?? 1,
                           coordinatorTrains: config.training.coordinatorTrains, needsTeacher: objective.needsTeacher)
        let student = try StudentInitializer.architecture(config.student, teacher: teacher.config)
        try StudentInitializer.checkVocabulary(student: student, section: config.student, teacher: teacher,
                                               objective: config.objective.name)
        _ = try PreparedDataset(summaryPath: config.data.shards, tokenizerIdentity: teacher.tokenizerIdentity,
                                vocabularySize: teacher.config.vocabularySize, sequenceLength: config.data.sequenceLength,
                                validationSequences: config.data.validationSequences, shuffleSeed: config.seed)
    }
}
