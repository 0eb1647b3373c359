/// The fit `seconds ≈ α + bytes/β` of all-reduce timings over a range of sizes.
///
/// Least squares on the relative error (each sample weighted by 1/seconds²), so the small
/// sizes, which fix α, count as much as the large ones, which fix β; a plain fit in seconds
/// would leave α to the noise of the 64 MB samples.
public enum AllReduceFit {
    /// (α seconds, β bytes per second); β = 0 when the samples show no growth with size.
    public static func fit(_ samples: [AllReduceSample]) -> (latencySeconds: Double, bytesPerSecond: Double) {
        let usable = samples.filter { $0.seconds > 0 }
        guard usable.count >= 2 else { return (usable.first?.seconds ?? 0, 0) }
        // Minimize Σ w (a + b·x − y)² with w = 1/y²: the normal equations of a weighted line.
        var sw = 0.0, swx = 0.0, swy = 0.0, swxx = 0.0, swxy = 0.0
        for sample in usable {
            let x = Double(sample.bytes), y = sample.seconds, w = 1 / (y * y)
            sw += w; swx += w * x; swy += w * y; swxx += w * x * x; swxy += w * x * y
        }
        let determinant = sw * swxx - swx * swx
        guard determinant > 0 else { return (swy / sw, 0) }
        let slope = (sw * swxy - swx * swy) / determinant
        let intercept = (swy - slope * swx) / sw
        guard slope > 0 else { return (max(0, swy / sw), 0) }
        return (max(0, intercept), 1 / slope)
    }
}
