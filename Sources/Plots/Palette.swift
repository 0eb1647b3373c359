/// The series colours, in order: the Tableau 10 palette, distinguishable on screen and
/// in print; series past the tenth reuse it from the start.
public enum Palette {
    public static let colors = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]

    /// The colour of the series at `index`.
    public static func color(_ index: Int) -> String { colors[index % colors.count] }

    static let axis = "#333333"
    static let grid = "#e3e3e3"
    static let minorGrid = "#f2f2f2"
    static let text = "#222222"
}
