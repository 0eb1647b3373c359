import DataPipeline
import TrainingCore

/// The TOML files a user writes: a run config (`DistillConfig`, whose resolved copy in the
/// run folder must read back as the same config) and a domain manifest (`ddk prepare`).
enum ConfigTarget {
    static let configPath = "fuzz-config.toml"
    static let manifestPath = "fuzz-domains.toml"

    static func run(_ bytes: UnsafeRawBufferPointer) {
        let text = FuzzInput.text(bytes)
        if let config = Finding.expectingErrors(naming: configPath, { try DistillConfig.parse(text, source: configPath) }) {
            checkResolvedCopy(of: config)
        }
        Finding.expectingErrors(naming: manifestPath) {
            _ = try DomainManifest(toml: text, path: manifestPath, baseDirectory: "/fuzz")
        }
    }

    /// `ddk distill` writes the resolved config as TOML into the run folder; `ddk eval` and
    /// resumes read it back, so every accepted config must survive the trip unchanged.
    private static func checkResolvedCopy(of config: DistillConfig) {
        let resolved: String
        do { resolved = try config.tomlText() } catch { Finding.report("an accepted config cannot be written as TOML: \(error)") }
        do {
            let again = try DistillConfig.parse(resolved, source: "resolved copy")
            if again != config { Finding.report("the resolved copy reads back as another config:\n\(resolved)") }
        } catch {
            Finding.report("the resolved copy of an accepted config is refused: \(error)\n\(resolved)")
        }
    }
}
