/// How a student's gradients are summed over every student of the job. The trainer only
/// needs the sum; the runtime implements it over MPI (`GradientSynchronizer`), and a
/// single student needs none.
public protocol GradientSummation: AnyObject {
    /// Called during backward: the gradients from element `offset` to the end are final, so
    /// their sum may start while the earlier layers back-propagate. Must return at once;
    /// failures surface in `sumGradients`.
    func gradientsFinal(from offset: Int)
    /// Completes the sum of the model's gradients over every student in place; returns the
    /// seconds this call waited (the sync time the step could not hide). `purpose` names the
    /// sum in a timeout ("gradient all-reduce at step 12").
    func sumGradients(purpose: @autoclosure () -> String) throws -> Double
    /// Sums `values` over every student in place; returns the seconds spent.
    func sum(_ values: inout [Float], purpose: @autoclosure () -> String) throws -> Double
}
