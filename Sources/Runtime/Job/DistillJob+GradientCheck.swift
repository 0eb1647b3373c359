import Foundation
import TrainingCore

/// What `--check-gradient` keeps on rank 0 (a student) from before step 0.
struct GradientCheckBaseline {
    let initialParameters: [Float]
    /// The teacher's LM-head matrix (and embeddings), for an objective that needs them (`dskd`, `dskd-cma`).
    let teacherMatrices: StudentObjective.TeacherMatrices?
    /// The process's own teacher in a world of 1; elsewhere the check loads one.
    let sharedTeacher: TeacherWorker?
    let format: TeacherMessageFormat
}

extension DistillJob {
    /// `--check-gradient`, on rank 0 after the run: the students' summed gradient of step 0
    /// against one process computing the whole global batch (`gradient_check.json`).
    /// Nil on the other ranks and without the option.
    func checkGradient(_ parts: RankParts, _ ledger: IntervalLedger) throws -> GradientCheck? {
        guard let student = parts.role.student, let baseline = student.gradientCheck,
              let stepZeroAssignments = ledger.stepZeroAssignments else { return nil }
        let trainer = student.trainer
        let singleObjective = try StudentObjective(section: config.objective)
        if let matrices = baseline.teacherMatrices {
            try singleObjective.prepareDualSpace(studentWidth: trainer.model.config.hiddenSize,
                                                 studentVocabularySize: trainer.model.config.vocabularySize, teacher: matrices,
                                                 seed: config.seed, weightDecay: config.optimizer.weightDecay)
        }
        var checkTeacher: TeacherWorker?
        if objective.needsTeacher {
            checkTeacher = try baseline.sharedTeacher
                ?? makeTeacherWorker(format: baseline.format, sharding: parts.sharding, localBatch: parts.plan.localBatchSequences)
        }
        let check = try GradientCheck.compare(
            distributed: trainer.firstSummedGradient ?? [], initialParameters: baseline.initialParameters,
            architecture: trainer.model.config, objective: singleObjective,
            plan: parts.plan, assignments: stepZeroAssignments, studentCount: layout.studentRanks.count,
            teacher: checkTeacher)
        try check.write(to: config.resolvedRunDirectory + "/gradient_check.json")
        parts.coordinator?.progress.line(check.summary)
        return check
    }
}
