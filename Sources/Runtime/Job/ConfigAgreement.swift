import MPI
import TrainingCore

/// Rank 0 reads the config (file, overrides, resolved defaults) and broadcasts it as TOML;
/// every rank decodes it, encodes it again and hashes that text; the hashes are gathered
/// on every rank and must all be equal (a rank built from other sources, or decoding the
/// config differently, is refused on every rank at once). The config's own collective
/// timeout is not known yet, so these collectives wait for its default (900 s).
public enum ConfigAgreement {
    /// The agreed config and its hash (16 hex digits). `load` runs on rank 0 only; when it
    /// throws, rank 0 broadcasts an empty config and every rank throws `StartupRefusal`
    /// (with the reason on rank 0), as every rank does when the hashes differ.
    public static func agree(world: Communicator, load: () throws -> DistillConfig) throws -> (config: DistillConfig, hash: String) {
        let deadline = CollectiveDeadline(seconds: DistillConfig.TrainingSection.defaultCollectiveTimeoutSeconds,
                                          configKey: "the default of training.collective_timeout_seconds",
                                          worldRank: world.rank)
        var bytes: [UInt8] = []
        var refusal: (any Error)?
        if world.rank == 0 {
            do { bytes = Array(try load().tomlText().utf8) } catch { refusal = error }
        }
        bytes = try world.broadcastVariable(bytes, root: 0, within: deadline, on: "world", for: "config broadcast at start-up")
        guard !bytes.isEmpty else { throw StartupRefusal(reason: refusal) }
        let text = String(decoding: bytes, as: UTF8.self)
        let config = try DistillConfig.parse(text, source: "the config broadcast by rank 0")
        let hash = ContentHash.of(try config.tomlText())
        let hashes = try world.allGather([hash], within: deadline, on: "world", for: "config hash all-gather at start-up")
        if let other = hashes.firstIndex(where: { $0 != hashes[0] }) {
            throw StartupRefusal(reason: world.rank == 0
                ? ConfigAgreementError(rank: other, hash: ContentHash.hex(hashes[other]), expected: ContentHash.hex(hashes[0])) : nil)
        }
        return (config, ContentHash.hex(hash))
    }
}

/// Ranks that do not see the same config.
public struct ConfigAgreementError: Error, CustomStringConvertible {
    public var rank: Int
    public var hash: String
    public var expected: String
    public var description: String {
        "rank \(rank) decoded the broadcast config to hash \(hash), rank 0 to \(expected): "
            + "every rank must run the same ddk build"
    }
}
