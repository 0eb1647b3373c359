extension DDK {
    /// The version recorded in run metadata.
    static let version = "0.1.0"
}
