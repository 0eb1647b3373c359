/// A fixed-size buffer of `Element`s at a stable heap address, for non-blocking
/// MPI calls: the memory never moves, and a `Request` made from it keeps the
/// buffer alive until the request completes, so MPI never reads or writes freed
/// or moved memory (which a Swift array cannot promise).
///
/// The buffer is a random-access, mutable collection indexed from 0. Do not
/// read or write the elements a pending request uses until it completes.
public final class MPIBuffer<Element: MPIDatatypeConvertible>: RandomAccessCollection, MutableCollection {
    /// The elements' memory; valid and unmoved for the buffer's whole lifetime.
    public let storage: UnsafeMutableBufferPointer<Element>
    /// True when the buffer allocated `storage` and frees it in deinit.
    private let ownsStorage: Bool
    /// The owner of wrapped memory, kept alive as long as this buffer.
    private let owner: AnyObject?

    /// A buffer of `count` copies of `value`.
    public init(repeating value: Element, count: Int) {
        storage = UnsafeMutableBufferPointer<Element>.allocate(capacity: Swift.max(count, 0))
        storage.initialize(repeating: value)
        ownsStorage = true
        owner = nil
    }

    /// A buffer of `count` elements whose bytes are all zero (the value 0 of every
    /// number type the module provides), for results that MPI fills in.
    public init(zeroedCount count: Int) {
        storage = UnsafeMutableBufferPointer<Element>.allocate(capacity: Swift.max(count, 0))
        UnsafeMutableRawBufferPointer(storage).initializeMemory(as: UInt8.self, repeating: 0)
        ownsStorage = true
        owner = nil
    }

    /// A buffer holding a copy of `values`.
    public init<Values: Collection>(_ values: Values) where Values.Element == Element {
        storage = UnsafeMutableBufferPointer<Element>.allocate(capacity: values.count)
        _ = storage.initialize(from: values)
        ownsStorage = true
        owner = nil
    }

    /// A buffer over memory it does not own (for example a model's gradient
    /// storage), keeping `owner` alive for as long as the buffer lives.
    ///
    /// The caller guarantees that `memory` stays valid and unmoved while
    /// `owner` is alive; the buffer never frees it.
    public init(unsafeWrapping memory: UnsafeMutableBufferPointer<Element>, owner: AnyObject?) {
        storage = memory
        ownsStorage = false
        self.owner = owner
    }

    deinit {
        if ownsStorage {
            storage.deallocate()
        }
    }

    /// The number of elements.
    public var count: Int { storage.count }
    /// Always 0.
    public var startIndex: Int { 0 }
    /// `count`.
    public var endIndex: Int { storage.count }

    /// The element at `position` (0 ..< count).
    public subscript(position: Int) -> Element {
        get { storage[position] }
        set { storage[position] = newValue }
    }

    /// A copy of the elements as an array.
    public var array: [Element] { Array(storage) }

    /// Overwrites the elements with `values`, which must have exactly `count` elements.
    public func assign<Values: Collection>(_ values: Values) throws where Values.Element == Element {
        guard values.count == storage.count else {
            throw MPIError.refused("MPIBuffer.assign", "\(values.count) values for a buffer of \(storage.count) elements")
        }
        _ = storage.update(fromContentsOf: values)
    }

    /// The sub-range `range` of the storage, or the whole storage when nil;
    /// refuses a range outside the buffer.
    func slice(_ range: Range<Int>?, _ operation: StaticString) throws -> UnsafeMutableBufferPointer<Element> {
        guard let range else { return storage }
        guard range.lowerBound >= 0, range.upperBound <= storage.count else {
            throw MPIError.refused("\(operation)", "range \(range) is outside a buffer of \(storage.count) elements")
        }
        return UnsafeMutableBufferPointer(rebasing: storage[range])
    }
}
