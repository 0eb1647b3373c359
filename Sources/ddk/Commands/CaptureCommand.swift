import ArgumentParser
import Engine
import Foundation
import LanguageModels
import MPI
import Runtime
import TrainingCore

/// `ddk capture`: runs the teacher once over the training sequences of a config and keeps
/// its top-k targets in a teacher-target store (`[store]`), for any number of runs to read.
/// Under `mpirun` every rank is a teacher; the store is the same for any number of ranks,
/// and a stopped capture continues where it stopped.
struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Run the teacher once over the training data and store its top-k targets (resumable).",
        discussion: """
        The config's objective must be kd with top_k; [store] sets the folder (default: \
        teacher-store beside domains.json), the sequences per domain, the log-probability \
        bits and the block size. Example: mpirun -np 2 ddk capture --config launch/configs/demo.toml
        """)

    @Option(help: "The run config (TOML, see launch/configs/).")
    var config: String

    @OptionGroup var overrides: ConfigOverridesOption

    @Flag(help: "Only read the config's store back: every block's checksum and rows (one process).")
    var verify = false

    @OptionGroup var output: JSONOutputOption

    /// `--verify --json`.
    struct VerifyReport: Encodable {
        var store: String
        var blocks: Int
        var sequences: Int
        var complete: Bool
    }

    func run() throws {
        if verify { return try verifyStore() }
        let environment = try MPIEnvironment()
        let world = environment.world
        if world.size > 1 { BLASThreads.set(1) }
        do {
            var writer: TargetStoreWriter?
            let agreed = try ConfigAgreement.agree(world: world) {
                let loaded = try DistillConfig.load(path: config, overrides: overrides.overrides)
                let manifest = try Self.manifest(for: loaded)
                writer = try TargetStoreWriter(folder: TargetStoreManifest.folder(for: loaded), manifest: manifest)
                return loaded
            }
            let manifest = try writer?.manifest ?? Self.manifest(for: agreed.config)
            let capture = try Self.capture(agreed.config, manifest: manifest)
            let job = TargetCaptureJob(world: world, capture: capture, writer: writer,
                                       collectiveTimeoutSeconds: agreed.config.training.resolvedCollectiveTimeoutSeconds,
                                       hooks: try TestHooks.fromEnvironment())
            let summary = try job.run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            try environment.finalize()
            if let summary {
                if output.json { try printJSON(summary) } else { print(Self.line(summary)) }
            }
        } catch {
            throw DistillJobLaunch.fail(error, prefix: "ddk capture: rank \(world.rank)", environment: environment)
        }
    }

    /// `--verify`: reads the whole store of the config (which must be this config's).
    func verifyStore() throws {
        do {
            let loaded = try DistillConfig.load(path: config, overrides: overrides.overrides)
            let folder = TargetStoreManifest.folder(for: loaded)
            let store = try TargetStore(folder: folder, key: try Self.manifest(for: loaded).key)
            let (blocks, sequences) = try store.verify()
            let report = VerifyReport(store: folder, blocks: blocks, sequences: sequences, complete: store.isComplete)
            if output.json { try printJSON(report) } else {
                print("capture --verify: \(folder): \(blocks) blocks, \(sequences) sequences intact"
                      + (report.complete ? "" : " (the capture is not finished)"))
            }
        } catch {
            ErrorLine.write("ddk capture --verify: error: \(error)")
            throw ExitCode.failure
        }
    }

    /// The store a config asks for (its teacher's weights hashed).
    static func manifest(for config: DistillConfig) throws -> TargetStoreManifest {
        let teacher = try ModelSource(path: config.teacher.model, role: .teacher)
        let vocabularies = try JobVocabularies(config: config, teacher: teacher)
        return try TargetStoreManifest.forJob(config, teacher: teacher, dataset: try vocabularies.openShards(config),
                                              tokenizerIdentity: try vocabularies.studentSource.requiredTokenizerIdentity())
    }

    /// The teacher loaded for one block at a time, and the shards.
    static func capture(_ config: DistillConfig, manifest: TargetStoreManifest) throws -> TargetCapture {
        let teacher = try ModelSource(path: config.teacher.model, role: .teacher)
        let vocabularies = try JobVocabularies(config: config, teacher: teacher)
        let format = TeacherMessageFormat(requirements: [.topKLogProbabilities], rows: manifest.blockSequences * manifest.key.sequenceLength,
                                          k: manifest.key.topK, vocabularySize: manifest.key.vocabularySize, hiddenWidth: 0,
                                          temperature: manifest.key.temperature)
        let worker = TeacherWorker(model: try teacher.loadInference(manifest.blockSequences, manifest.key.sequenceLength), format: format)
        return TargetCapture(manifest: manifest, worker: worker, dataset: try vocabularies.openShards(config))
    }

    static func line(_ summary: TargetCaptureJob.Summary) -> String {
        String(format: "capture: %@: %d of %d blocks captured now, %d tokens in %.1f s (%.0f tokens/s, %.0f per rank on %d ranks); "
               + "store %d bytes, %.1f bytes per token", summary.store, summary.blocksCaptured, summary.blocks,
               summary.tokensCaptured, summary.seconds, summary.tokensPerSecond, summary.tokensPerSecondPerRank, summary.ranks,
               summary.storeBytes, summary.bytesPerToken)
    }
}
