import Distillation

extension DistillConfig {
    /// Checks values that decode but make no sense, naming the key.
    func validate(source: String) throws {
        func fail(_ key: String, _ reason: String) -> ConfigError {
            .invalid(path: source, key: key, reason: reason)
        }
        guard !name.isEmpty, !name.contains("/") else { throw fail("name", "must be a non-empty name without '/'") }
        try validateStudent(fail)
        try validateTeacherAndData(fail)
        try validateObjective(fail)
        try validateOptimizer(fail)
        try validateTraining(fail)
        try validateDDKAndCheckpoints(fail)
        try validateStore(fail)
    }

    /// The teacher-target store's settings.
    private func validateStore(_ fail: (String, String) -> ConfigError) throws {
        if teacher.resolvedSource.readsStore {
            guard objective.name == "kd", objective.topK != nil else {
                throw fail("teacher.source", "\"\(teacher.resolvedSource.rawValue)\" reads top-k targets: it needs objective.name = \"kd\" with objective.top_k")
            }
        }
        if teacher.resolvedSource == .store {
            if let ranks = teacher.ranks, ranks != 0 {
                throw fail("teacher.ranks", "must be 0 (or unset) with teacher.source = \"store\": no rank runs the teacher, got \(ranks)")
            }
        }
        guard let store else { return }
        if let count = store.sequencesPerDomain, count < 1 { throw fail("store.sequences_per_domain", "must be 1 or more, got \(count)") }
        if let bits = store.logProbabilityBits, !(4...16).contains(bits) && bits != 32 {
            throw fail("store.log_probability_bits", "must be 4...16 (quantized) or 32 (float32), got \(bits)")
        }
        if let count = store.blockSequences, count < 1 { throw fail("store.block_sequences", "must be 1 or more, got \(count)") }
        if store.path?.isEmpty == true { throw fail("store.path", "must not be empty") }
    }

    /// The student's initialization and the keys it needs.
    private func validateStudent(_ fail: (String, String) -> ConfigError) throws {
        switch student.initialization {
        case .random:
            for (key, value) in [("student.hidden_size", student.hiddenSize),
                                 ("student.intermediate_size", student.intermediateSize),
                                 ("student.num_hidden_layers", student.layerCount),
                                 ("student.num_attention_heads", student.headCount),
                                 ("student.num_key_value_heads", student.keyValueHeadCount)] {
                guard let value else { throw fail(key, "is required when student.init = \"random\"") }
                guard value > 0 else { throw fail(key, "must be positive, got \(value)") }
            }
        case .teacherLayers:
            guard let layers = student.teacherLayers, !layers.isEmpty else {
                throw fail("student.teacher_layers", "must list the teacher blocks to keep when student.init = \"teacher-layers\"")
            }
            guard layers.allSatisfy({ $0 >= 0 }), Set(layers).count == layers.count else {
                throw fail("student.teacher_layers", "must be distinct non-negative block numbers, got \(layers)")
            }
        case .checkpoint:
            guard student.checkpoint?.isEmpty == false else {
                throw fail("student.checkpoint", "is required when student.init = \"checkpoint\"")
            }
        }
    }

    /// The teacher pool and the data.
    private func validateTeacherAndData(_ fail: (String, String) -> ConfigError) throws {
        if let ranks = teacher.ranks, ranks < 0 { throw fail("teacher.ranks", "must be 0 or more, got \(ranks)") }
        guard teacher.prefetchDepth >= 1 else { throw fail("teacher.prefetch_depth", "must be 1 or more") }
        guard teacher.timeoutSeconds > 0 else { throw fail("teacher.timeout_seconds", "must be positive") }
        if let length = teacher.sequenceLength, length < 2 { throw fail("teacher.sequence_length", "must be 2 or more, got \(length)") }

        guard data.sequenceLength >= 2 else { throw fail("data.sequence_length", "must be 2 or more") }
        guard data.globalBatchSequences >= 1 else { throw fail("data.global_batch_sequences", "must be 1 or more") }
        guard data.validationSequences >= 1 else { throw fail("data.validation_sequences", "must be 1 or more") }
        if let count = data.trainSequencesPerDomain, count < 1 { throw fail("data.train_sequences_per_domain", "must be 1 or more, got \(count)") }
    }

    /// The objective, its distance and weights.
    private func validateObjective(_ fail: (String, String) -> ConfigError) throws {
        guard ObjectiveKind.names.contains(objective.name) else {
            throw fail("objective.name", "\"\(objective.name)\" is not one of \(ObjectiveKind.names.sorted())")
        }
        if let distance = objective.distance, !Distance.names.contains(distance) {
            throw fail("objective.distance", "\"\(distance)\" is not one of \(Distance.names.sorted())")
        }
        if objective.kdWeight != nil && objective.lambda != nil {
            throw fail("objective.kd_weight", "and objective.lambda are two parameterizations of one weight: give one")
        }
        if let lambda = objective.lambda, !(0...1).contains(lambda) {
            throw fail("objective.lambda", "must be in [0, 1], got \(lambda)")
        }
        if let weight = objective.kdWeight, weight < 0 { throw fail("objective.kd_weight", "must be 0 or more") }
        if let temperature = objective.temperature, temperature <= 0 {
            throw fail("objective.temperature", "must be positive, got \(temperature)")
        }
        if let topK = objective.topK, topK < 1 { throw fail("objective.top_k", "must be 1 or more, got \(topK)") }
        if let skew = objective.skew, !(0...1).contains(skew) { throw fail("objective.skew", "must be in [0, 1]") }
    }

    /// AdamW and the learning-rate schedule.
    private func validateOptimizer(_ fail: (String, String) -> ConfigError) throws {
        guard optimizer.learningRate > 0 else { throw fail("optimizer.learning_rate", "must be positive") }
        guard optimizer.minimumLearningRate >= 0, optimizer.minimumLearningRate <= optimizer.learningRate else {
            throw fail("optimizer.min_learning_rate", "must be between 0 and optimizer.learning_rate")
        }
        guard optimizer.warmupSteps >= 0 else { throw fail("optimizer.warmup_steps", "must be 0 or more") }
        guard (0..<1).contains(optimizer.beta1) else { throw fail("optimizer.beta1", "must be in [0, 1)") }
        guard (0..<1).contains(optimizer.beta2) else { throw fail("optimizer.beta2", "must be in [0, 1)") }
        guard optimizer.epsilon > 0 else { throw fail("optimizer.epsilon", "must be positive") }
        guard optimizer.weightDecay >= 0 else { throw fail("optimizer.weight_decay", "must be 0 or more") }
        guard optimizer.gradientClip >= 0 else { throw fail("optimizer.gradient_clip", "must be 0 (off) or more") }
    }

    /// The training loop.
    private func validateTraining(_ fail: (String, String) -> ConfigError) throws {
        guard training.steps >= 1 else { throw fail("training.steps", "must be 1 or more") }
        guard training.allreduceBucketMegabytes > 0 else { throw fail("training.allreduce_bucket_megabytes", "must be positive") }
        if let limit = training.timeLimitSeconds, limit <= 0 { throw fail("training.time_limit_seconds", "must be positive") }
        if let niceness = training.studentNiceness, !(0...19).contains(niceness) {
            throw fail("training.student_niceness", "must be between 0 (off) and 19, got \(niceness)")
        }
        if let heartbeat = training.heartbeatSeconds, heartbeat < 0 || heartbeat > 3600 {
            throw fail("training.heartbeat_seconds", "must be between 0 (off) and 3600, got \(heartbeat)")
        }
        if let timeout = training.collectiveTimeoutSeconds, !(timeout > 0) {
            throw fail("training.collective_timeout_seconds", "must be positive, got \(timeout)")
        }
    }

    /// DDK re-weighting and the checkpoint interval.
    private func validateDDKAndCheckpoints(_ fail: (String, String) -> ConfigError) throws {
        guard (0...1).contains(ddk.alpha) else { throw fail("ddk.alpha", "must be in [0, 1], got \(ddk.alpha)") }
        guard ddk.intervalSteps >= 1 else { throw fail("ddk.interval_steps", "must be 1 or more") }
        if ddk.mode == .static {
            guard let weights = ddk.staticWeights, !weights.isEmpty else {
                throw fail("ddk.static_weights", "is required when ddk.mode = \"static\"")
            }
            guard weights.allSatisfy({ $0 >= 0 }), weights.reduce(0, +) > 0 else {
                throw fail("ddk.static_weights", "must be non-negative with a positive sum, got \(weights)")
            }
        }
        guard checkpoint.everySteps >= 1 else { throw fail("checkpoint.every_steps", "must be 1 or more") }
    }
}
