/// A parameter layout that finds a tensor by its Hugging Face name.
public protocol ParameterTensorLookup {
    /// The tensor named `name`; throws if the layout has none.
    func requireTensor(named name: String) throws -> ParameterTensor
}

extension ParameterLayout: ParameterTensorLookup {}
extension Gemma3ParameterLayout: ParameterTensorLookup {}
