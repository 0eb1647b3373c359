import Foundation

/// Appends `MetricsRecord`s to a run's `metrics.jsonl`, one JSON object per line, flushed
/// after every record so a run that dies leaves every finished step on disk.
public final class MetricsLog {
    public let path: String
    private let handle: FileHandle
    private let encoder: JSONEncoder

    /// Opens `path` for appending, creating it (and its folder) when missing.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw MetricsLogError.cannotCreate(path: path)
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw MetricsLogError.cannotCreate(path: path) }
        handle.seekToEndOfFile()
        self.path = path
        self.handle = handle
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    }

    deinit { try? handle.close() }

    /// Writes one record as one line.
    public func append(_ record: MetricsRecord) throws {
        var line: Data
        switch record {
        case .run(let run): line = try encoder.encode(run)
        case .step(let step): line = try encoder.encode(step)
        case .ddk(let ddk): line = try encoder.encode(ddk)
        }
        line.append(0x0A)
        try handle.write(contentsOf: line)
        try handle.synchronize()
    }

    /// Reads every record of a metrics file (for `ddk eval`, resume and tests).
    public static func read(path: String) throws -> [MetricsRecord] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw MetricsLogError.cannotRead(path: path)
        }
        return try records(in: text, path: path)
    }

    /// The records of a metrics file's text (`path` names it in errors).
    public static func records(in text: String, path: String) throws -> [MetricsRecord] {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        struct Kind: Decodable { var kind: String }
        var records: [MetricsRecord] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let data = Data(line.utf8)
            do {
                switch try decoder.decode(Kind.self, from: data).kind {
                case "run": records.append(.run(try decoder.decode(RunRecord.self, from: data)))
                case "step": records.append(.step(try decoder.decode(StepRecord.self, from: data)))
                case "ddk": records.append(.ddk(try decoder.decode(DDKRecord.self, from: data)))
                case let other: throw MetricsLogError.unknownKind(path: path, line: index + 1, kind: other)
                }
            } catch let error as MetricsLogError {
                throw error
            } catch {
                throw MetricsLogError.malformed(path: path, line: index + 1)
            }
        }
        return records
    }
}

/// A metrics file that cannot be written or read.
public enum MetricsLogError: Error, Equatable, CustomStringConvertible {
    case cannotCreate(path: String)
    case cannotRead(path: String)
    case malformed(path: String, line: Int)
    case unknownKind(path: String, line: Int, kind: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path): return "cannot create metrics file \(path)"
        case .cannotRead(let path): return "cannot read metrics file \(path)"
        case .malformed(let path, let line): return "\(path):\(line): not a metrics record"
        case .unknownKind(let path, let line, let kind): return "\(path):\(line): unknown record kind \"\(kind)\""
        }
    }
}
