import ArgumentParser

/// `--set section.key=value` (repeatable): overrides of a run config's keys.
struct ConfigOverridesOption: ParsableArguments {
    @Option(name: .customLong("set"), parsing: .singleValue, help: "Override one config key: section.key=value (repeatable).")
    var overrides: [String] = []
}
