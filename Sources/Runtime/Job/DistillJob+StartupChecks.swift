import DataPipeline
import Engine
import LanguageModels
import TrainingCore

extension DistillJob {
    /// The start-up refusals that every rank would reach alike, made once by rank 0 before
    /// the config is broadcast (so the user reads one line, not one per rank): the objective
    /// is known, the world holds the roles, the global batch splits over the students, the student reads the shards' vocabulary (and
    /// the objective runs across two vocabularies when there are two), the prepared shards were made by the student's tokenizer (and are complete), a
    /// teacher-target store (`teacher.source = "store"`) is this job's, and a
    /// `--resume` checkpoint (`resume`: a folder or `latest`) fits the config and the shards.
    ///
    /// A problem only some ranks see (a shard missing on one node) is still found by those
    /// ranks when they open the data, and reported by them.
    public static func checkStartup(_ config: DistillConfig, worldSize: Int, teacher: ModelSource,
                                    resume: String? = nil) throws {
        let objective = try StudentObjective(section: config.objective)
        let layout = try RoleLayout(worldSize: worldSize, teacherCount: config.teacher.ranks ?? 1,
                                    coordinatorTrains: config.training.coordinatorTrains,
                                    needsTeacher: needsTeacherRanks(config, objective: objective))
        // The global batch must split evenly over the students (the sampler's own check).
        _ = try DomainSampler(seed: config.seed, globalBatchSize: config.data.globalBatchSequences, domainCount: 1)
            .slots(rank: 0, worldSize: layout.studentRanks.count)
        let vocabularies = try JobVocabularies(config: config, teacher: teacher)
        let student = try StudentInitializer.architecture(config.student, teacher: vocabularies.studentSource.config)
        try StudentInitializer.checkVocabulary(student: student, section: config.student, vocabularySource: vocabularies.studentSource)
        let dataset = try vocabularies.openShards(config)
        _ = try openTargetStore(config, teacher: teacher, vocabularies: vocabularies, dataset: dataset)
        if let resume, let folder = try TrainingCheckpoint.resolve(resume, runDirectory: config.resolvedRunDirectory) {
            try checkResumable(try RunState.load(from: folder), folder: folder, config: config,
                               domainNames: dataset.domainNames)
        }
    }
}
