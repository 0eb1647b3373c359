import Engine
import Foundation

extension MetricsLog {
    /// Before a run resumes at `step`: rewrites the metrics file (atomically) keeping the
    /// `run` records and the `step` / `ddk` records of steps before `step`, so the file
    /// reads as one history. A torn last line (the run was killed while writing it) is
    /// dropped. Returns how many records were dropped.
    @discardableResult
    public static func keepRecords(before step: Int, path: String) throws -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        struct Header: Decodable { var kind: String; var step: Int? }
        var kept: [Substring] = [], dropped = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let header = try? JSONDecoder().decode(Header.self, from: Data(line.utf8)) else { dropped += 1; continue }
            if header.kind == "run" || (header.step ?? Int.max) < step { kept.append(line) } else { dropped += 1 }
        }
        try AtomicFileWriter.write(Data(kept.map { $0 + "\n" }.joined().utf8), to: path)
        return dropped
    }
}
