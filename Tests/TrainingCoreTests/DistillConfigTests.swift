import TrainingCore
import XCTest

final class DistillConfigTests: XCTestCase {
    static let valid = """
        name = "unit"
        seed = 7

        [student]
        init = "random"
        hidden_size = 64
        intermediate_size = 176
        num_hidden_layers = 2
        num_attention_heads = 4
        num_key_value_heads = 2

        [teacher]
        model = "data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf"
        ranks = 1
        prefetch_depth = 2
        timeout_seconds = 60.0

        [data]
        shards = "data/shards"
        sequence_length = 64
        global_batch_sequences = 4
        validation_sequences = 8

        [objective]
        name = "kd"
        distance = "fkl"
        temperature = 1.0
        kd_weight = 0.2
        top_k = 64

        [optimizer]
        learning_rate = 3e-4
        min_learning_rate = 3e-5
        warmup_steps = 10
        weight_decay = 0.01
        beta1 = 0.9
        beta2 = 0.95
        epsilon = 1e-8
        gradient_clip = 1.0

        [training]
        steps = 100
        coordinator_trains = true
        allreduce_bucket_megabytes = 4.0

        [ddk]
        mode = "smooth"
        alpha = 0.5
        interval_steps = 20

        [checkpoint]
        every_steps = 50
        """

    func testValidConfigDecodesWithSwiftNames() throws {
        let config = try DistillConfig.parse(Self.valid, source: "unit.toml")
        XCTAssertEqual(config.student.initialization, .random)
        XCTAssertEqual(config.student.keyValueHeadCount, 2)
        XCTAssertEqual(config.objective.kdWeight, 0.2)
        XCTAssertEqual(config.ddk.mode, .smooth)
        XCTAssertEqual(config.resolvedRunDirectory, "runs/unit")
    }

    func testOverridesReplaceAndAddValues() throws {
        let config = try DistillConfig.parse(Self.valid, source: "unit.toml", overrides: [
            "training.steps=3", "objective.name=ce", "ddk.mode=\"static\"", "ddk.static_weights=[1, 3]",
            "run_directory=/tmp/x",
        ])
        XCTAssertEqual(config.training.steps, 3)
        XCTAssertEqual(config.objective.name, "ce")
        XCTAssertEqual(config.ddk.staticWeights, [1, 3])
        XCTAssertEqual(config.resolvedRunDirectory, "/tmp/x")
    }

    func testResolvedConfigRoundTripsThroughTOML() throws {
        let config = try DistillConfig.parse(Self.valid, source: "unit.toml")
        let again = try DistillConfig.parse(try config.tomlText(), source: "resolved.toml")
        XCTAssertEqual(config, again)
    }

    func testCollectiveTimeoutDefaultsTo900SecondsAndCanBeSet() throws {
        let unset = try DistillConfig.parse(Self.valid, source: "unit.toml")
        XCTAssertNil(unset.training.collectiveTimeoutSeconds)
        XCTAssertEqual(unset.training.resolvedCollectiveTimeoutSeconds, 900)
        let set = try DistillConfig.parse(Self.valid, source: "unit.toml", overrides: ["training.collective_timeout_seconds=8"])
        XCTAssertEqual(set.training.resolvedCollectiveTimeoutSeconds, 8)
        XCTAssertEqual(try DistillConfig.parse(try set.tomlText(), source: "resolved.toml"), set)
    }

    func testTypoIsRefusedNamingTheKey() {
        let typo = Self.valid.replacingOccurrences(of: "interval_steps", with: "intervall_steps")
        XCTAssertThrowsError(try DistillConfig.parse(typo, source: "typo.toml")) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.hasPrefix("typo.toml"), message)
            XCTAssertTrue(message.contains("intervall_steps") || message.contains("interval_steps"), message)
        }
    }

    func testTeacherSourcesAndTheStoreSection() throws {
        XCTAssertEqual(try DistillConfig.parse(Self.valid, source: "unit.toml").teacher.resolvedSource, .live)
        let hybrid = try DistillConfig.parse(Self.valid, source: "unit.toml", overrides: ["teacher.source=\"store+live\"", "store.path=s"])
        XCTAssertEqual(hybrid.teacher.resolvedSource, .storeAndLive)
        XCTAssertEqual(hybrid.store?.path, "s")
        let stored = try DistillConfig.parse(Self.valid, source: "unit.toml", overrides: ["teacher.source=store", "teacher.ranks=0"])
        XCTAssertEqual(stored.teacher.resolvedSource, .store)
        XCTAssertEqual(try DistillConfig.parse(try stored.tomlText(), source: "resolved"), stored, "the resolved copy reads back")
    }

    func testBadValuesAreRefusedNamingTheKey() {
        let cases: [(String, String)] = [
            ("objective.name=kld", "objective.name"),
            ("objective.distance=\"kl\"", "objective.distance"),
            ("objective.lambda=0.5", "objective.kd_weight"),
            ("ddk.alpha=2.0", "ddk.alpha"),
            ("ddk.mode=static", "ddk.static_weights"),
            ("training.steps=0", "training.steps"),
            ("student.hidden_size=-4", "student.hidden_size"),
            ("training.collective_timeout_seconds=0.0", "training.collective_timeout_seconds"),
            ("training.collective_timeout_seconds=-5.0", "training.collective_timeout_seconds"),
            ("teacher.source=store", "teacher.ranks"),  // the store has no teacher rank
            ("teacher.source=cache", "teacher.source"),
            ("store.log_probability_bits=20", "store.log_probability_bits"),
            ("store.block_sequences=0", "store.block_sequences"),
            ("data.train_sequences_per_domain=0", "data.train_sequences_per_domain"),
        ]
        for (override, key) in cases {
            XCTAssertThrowsError(try DistillConfig.parse(Self.valid, source: "c.toml", overrides: [override]),
                                 override) { error in
                XCTAssertTrue(String(describing: error).contains(key), "\(override): \(error)")
            }
        }
        XCTAssertThrowsError(try DistillConfig.parse("name = ", source: "broken.toml")) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("broken.toml:1"), "\(error)")
        }
        XCTAssertThrowsError(try DistillConfig.parse(Self.valid, source: "c.toml", overrides: ["steps"]))
    }
}
