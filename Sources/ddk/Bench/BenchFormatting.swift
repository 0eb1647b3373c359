import Foundation

/// Three decimals, for the benchmarks' text output.
func fmt(_ x: Double) -> String { String(format: "%.3f", x) }

/// `value` rounded to `places` decimals (a figure a JSON report prints that short).
func rounded(_ value: Double, places: Int) -> Double {
    let scale = pow(10, Double(places))
    return (value * scale).rounded() / scale
}

/// A progress line on standard error (standard output stays the report).
func logLine(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
