import DataPipeline
import LanguageModels
import TrainingCore

extension DistillJob {
    /// Whether the job has a teacher-inference pool: the objective needs teacher outputs
    /// and they are computed live (not read from a store).
    static func needsTeacherRanks(_ config: DistillConfig, objective: StudentObjective) -> Bool {
        objective.needsTeacher && config.teacher.resolvedSource != .store
    }

    /// With `teacher.source = "store"` or `"store+live"`: the config's teacher-target store,
    /// which must hold targets of this teacher, these shards, T, k and τ, and (`store`) at
    /// least one sequence of every domain; nil with a live teacher.
    static func openTargetStore(_ config: DistillConfig, teacher: ModelSource, vocabularies: JobVocabularies,
                                dataset: PreparedDataset) throws -> TargetStore? {
        guard config.teacher.resolvedSource.readsStore else { return nil }
        let folder = TargetStoreManifest.folder(for: config)
        let key = try TargetStoreManifest.forJob(config, teacher: teacher, dataset: dataset,
                                                 tokenizerIdentity: try vocabularies.studentSource.requiredTokenizerIdentity()).key
        let store = try TargetStore(folder: folder, key: key)
        guard store.manifest.domains.map(\.name) == dataset.domainNames else {
            throw StoreRefusal("\(folder): the store's domains (\(store.manifest.domains.map(\.name).joined(separator: ", "))) "
                + "are not the shards' (\(dataset.domainNames.joined(separator: ", ")))")
        }
        if config.teacher.resolvedSource == .store,
           let empty = dataset.domains.indices.first(where: { store.capturedSequences(domain: $0) == 0 }) {
            throw StoreRefusal("\(folder): the store holds no sequence of domain \(dataset.domainNames[empty]); run `ddk capture` with this config")
        }
        return store
    }

    /// The shards as the sampler draws from them: the first `data.train_sequences_per_domain`
    /// training sequences of each domain, and with `teacher.source = "store"` only those the
    /// store holds (`store+live` draws from all: the pool computes the others).
    static func drawableDataset(_ dataset: PreparedDataset, config: DistillConfig, store: TargetStore?) throws -> PreparedDataset {
        let store = config.teacher.resolvedSource == .store ? store : nil
        guard store != nil || config.data.trainSequencesPerDomain != nil else { return dataset }
        return try dataset.restrictingTraining(to: dataset.domains.indices.map { domain in
            min(dataset.domains[domain].train.count, config.data.trainSequencesPerDomain ?? Int.max,
                store?.capturedSequences(domain: domain) ?? Int.max)
        })
    }

    /// What the run record says about the store.
    static func storeCoverage(_ store: TargetStore?, dataset: PreparedDataset) -> TeacherStoreCoverage? {
        store.map { store in
            var coverage = TeacherStoreCoverage(path: store.folder, drawnSequences: dataset.drawnTrainSequences,
                                                trainSequences: dataset.domains.map(\.train.count))
            if store.manifest.domains.indices.contains(where: { store.capturedSequences(domain: $0) < dataset.drawnTrainSequences[$0] }) {
                coverage.heldSequences = dataset.domains.indices.map { store.capturedSequences(domain: $0) }
            }
            return coverage
        }
    }

    /// The progress line of a run reading a store.
    static func describe(_ coverage: TeacherStoreCoverage) -> String {
        let partial = zip(coverage.drawnSequences, coverage.trainSequences).contains { $0 < $1 }
        let counts = zip(coverage.drawnSequences, coverage.trainSequences).map { "\($0)/\($1)" }.joined(separator: ", ")
        if let held = coverage.heldSequences {
            return "teacher targets from the store \(coverage.path) for the sequences it holds ("
                + zip(held, coverage.drawnSequences).map { "\(min($0, $1))/\($1)" }.joined(separator: ", ")
                + " of those drawn), from the teacher for the others"
        }
        return "teacher targets from the store \(coverage.path); the sampler draws from "
            + (partial ? "the first training sequences of each domain (\(counts))" : "every training sequence")
    }
}
