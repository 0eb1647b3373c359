/// One line of a chart's legend: a colour swatch and the series' name.
public struct LegendEntry: Equatable, Sendable {
    public enum Swatch: Equatable, Sendable { case line, block }

    public var name: String
    public var color: String
    public var swatch: Swatch
}
