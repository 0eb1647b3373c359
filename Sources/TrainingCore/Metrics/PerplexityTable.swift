import Foundation

/// The per-domain table that `ddk report` and `ddk eval` print: teacher perplexity,
/// student perplexity before and after, the student/teacher ratio (after) and the DDK
/// weight, with a mean row. Cells that are not known print as "—".
public struct PerplexityTable {
    /// One domain's figures.
    public struct Row: Equatable, Sendable {
        public var domain: String
        public var teacherPerplexity: Double
        /// The student at the earlier evaluation (nil: not known).
        public var studentPerplexityBefore: Double?
        /// The student at the evaluation the table is about.
        public var studentPerplexityAfter: Double
        /// The domain's DDK weight (nil: not known).
        public var weight: Double?

        public init(domain: String, teacherPerplexity: Double, studentPerplexityBefore: Double?,
                    studentPerplexityAfter: Double, weight: Double?) {
            self.domain = domain
            self.teacherPerplexity = teacherPerplexity
            self.studentPerplexityBefore = studentPerplexityBefore
            self.studentPerplexityAfter = studentPerplexityAfter
            self.weight = weight
        }

        /// Student (after) over teacher perplexity.
        public var ratio: Double { studentPerplexityAfter / teacherPerplexity }
    }

    /// Heading of the "before" student column, e.g. "student ppl (step 0)".
    public var beforeHeading: String
    /// Heading of the "after" student column, e.g. "student ppl (step 200)".
    public var afterHeading: String
    public var rows: [Row]

    public init(beforeHeading: String, afterHeading: String, rows: [Row]) {
        self.beforeHeading = beforeHeading
        self.afterHeading = afterHeading
        self.rows = rows
    }

    /// The mean of the student's "before" perplexities (nil unless every row has one).
    public var meanStudentPerplexityBefore: Double? {
        let values = rows.compactMap(\.studentPerplexityBefore)
        return values.isEmpty || values.count != rows.count ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The mean of the student's "after" perplexities.
    public var meanStudentPerplexityAfter: Double {
        rows.map(\.studentPerplexityAfter).reduce(0, +) / Double(max(1, rows.count))
    }

    /// The table as text lines: header, rule, one line per domain, the mean row.
    public var lines: [String] {
        let header = ["domain", "teacher ppl", beforeHeading, afterHeading, "student/teacher", "weight"]
        var table = [header]
        for row in rows {
            table.append([row.domain, Self.format(row.teacherPerplexity), row.studentPerplexityBefore.map(Self.format) ?? Self.unknown,
                          Self.format(row.studentPerplexityAfter), Self.format(row.ratio),
                          row.weight.map { String(format: "%.3f", $0) } ?? Self.unknown])
        }
        table.append(["mean", "", meanStudentPerplexityBefore.map(Self.format) ?? (rows.allSatisfy { $0.studentPerplexityBefore == nil } ? Self.unknown : ""),
                      Self.format(meanStudentPerplexityAfter), "", ""])
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        var lines: [String] = []
        for (index, line) in table.enumerated() {
            let cells = line.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            lines.append(cells.joined(separator: "  "))
            if index == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        return lines
    }

    /// What an unknown cell shows.
    public static let unknown = "—"

    /// Perplexities span 1 to 1e5: three significant digits, no exponent.
    public static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value)
    }
}
