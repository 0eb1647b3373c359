/// Bad sampler input: weights, batch layout or history; one line naming the problem.
public struct SamplerError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public let problem: String

    public init(_ problem: String) { self.problem = problem }

    public var description: String { problem }
}
