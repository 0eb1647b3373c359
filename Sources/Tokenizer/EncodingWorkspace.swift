#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-thread state for encoding: a cache of pre-token → token ids (most pre-tokens of real
/// text repeat, so BPE runs on few of them) and scratch buffers for BPE. One workspace is
/// used by one encode call at a time; `WorkspacePool` hands them out.
final class EncodingWorkspace {
    // Cache: open addressing over entry indices; keys and ids live in two arenas.
    private struct Entry {
        var hash: UInt64
        var keyStart: Int32
        var keyLength: Int32
        var idsStart: Int32
        var idsCount: Int32
    }

    /// Pre-tokens longer than this are not cached.
    static let maximumCachedLength = 64
    private static let slotCount = 1 << 18
    private static let maximumEntries = 1 << 17
    private static let keyArenaCapacity = 1 << 22
    private static let idsArenaCapacity = 1 << 20

    private let slots = UnsafeMutablePointer<Int32>.allocate(capacity: slotCount)
    private let entries = UnsafeMutablePointer<Entry>.allocate(capacity: maximumEntries)
    private let keyArena = UnsafeMutablePointer<UInt8>.allocate(capacity: keyArenaCapacity)
    private let idsArena = UnsafeMutablePointer<Int32>.allocate(capacity: idsArenaCapacity)
    private var entryCount = 0
    private var keyArenaUsed = 0
    private var idsArenaUsed = 0

    // BPE scratch, grown on demand.
    private(set) var symbols: UnsafeMutablePointer<Int32>
    private(set) var ranks: UnsafeMutablePointer<Int32>
    private(set) var merged: UnsafeMutablePointer<Int32>
    /// Symbol start offsets (SentencePiece merges only).
    private(set) var offsets: UnsafeMutablePointer<Int32>
    private var scratchCapacity = 256
    /// Heap of (rank << 32 | position) for long pre-tokens.
    var heap: [UInt64] = []

    init() {
        slots.initialize(repeating: 0, count: Self.slotCount)
        symbols = .allocate(capacity: scratchCapacity)
        ranks = .allocate(capacity: scratchCapacity)
        merged = .allocate(capacity: scratchCapacity)
        offsets = .allocate(capacity: scratchCapacity)
    }

    deinit {
        slots.deallocate()
        entries.deallocate()
        keyArena.deallocate()
        idsArena.deallocate()
        symbols.deallocate()
        ranks.deallocate()
        merged.deallocate()
        offsets.deallocate()
    }

    /// Makes the scratch buffers hold at least `count` symbols.
    func reserveScratch(_ count: Int) {
        guard count > scratchCapacity else { return }
        var capacity = scratchCapacity
        while capacity < count { capacity *= 2 }
        symbols.deallocate(); ranks.deallocate(); merged.deallocate(); offsets.deallocate()
        symbols = .allocate(capacity: capacity)
        ranks = .allocate(capacity: capacity)
        merged = .allocate(capacity: capacity)
        offsets = .allocate(capacity: capacity)
        scratchCapacity = capacity
    }

    /// Hash of `length` bytes at `key` (also used by `TokenTextTable`).
    @inline(__always)
    static func hash(_ key: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(length)
        var index = 0
        let raw = UnsafeRawPointer(key)
        while index + 8 <= length {
            h = (h ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < length {
            tail |= UInt64(key[index]) << shift
            shift += 8
            index += 1
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 29)
    }

    /// Whether the `length` bytes at `a` and at `b` are equal (inlined: keys are short).
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        var index = 0
        while index + 8 <= length {
            if rawA.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                != rawB.loadUnaligned(fromByteOffset: index, as: UInt64.self) { return false }
            index += 8
        }
        while index < length {
            if a[index] != b[index] { return false }
            index += 1
        }
        return true
    }

    /// Appends the cached ids of `key` to `output` and returns true, or returns false.
    @inline(__always)
    func appendCached(_ key: UnsafePointer<UInt8>, _ length: Int, to output: inout [Int32]) -> Bool {
        let h = Self.hash(key, length)
        var slot = Int(truncatingIfNeeded: h) & (Self.slotCount - 1)
        while true {
            let index = Int(slots[slot])
            if index == 0 { return false }
            let entry = entries[index - 1]
            if entry.hash == h, Int(entry.keyLength) == length,
               Self.equal(keyArena + Int(entry.keyStart), key, length) {
                let ids = UnsafeBufferPointer(start: idsArena + Int(entry.idsStart), count: Int(entry.idsCount))
                if ids.count == 1 { output.append(ids[0]) } else { output.append(contentsOf: ids) }
                return true
            }
            slot = (slot + 1) & (Self.slotCount - 1)
        }
    }

    /// Remembers `ids` as the encoding of `key`; empties the cache first when it is full.
    func insert(_ key: UnsafePointer<UInt8>, _ length: Int, ids: UnsafeBufferPointer<Int32>) {
        if entryCount == Self.maximumEntries || keyArenaUsed + length > Self.keyArenaCapacity
            || idsArenaUsed + ids.count > Self.idsArenaCapacity {
            slots.update(repeating: 0, count: Self.slotCount)
            entryCount = 0
            keyArenaUsed = 0
            idsArenaUsed = 0
        }
        let h = Self.hash(key, length)
        var slot = Int(truncatingIfNeeded: h) & (Self.slotCount - 1)
        while slots[slot] != 0 { slot = (slot + 1) & (Self.slotCount - 1) }
        (keyArena + keyArenaUsed).update(from: key, count: length)
        (idsArena + idsArenaUsed).update(from: ids.baseAddress!, count: ids.count)
        entries[entryCount] = Entry(hash: h, keyStart: Int32(keyArenaUsed), keyLength: Int32(length),
                                    idsStart: Int32(idsArenaUsed), idsCount: Int32(ids.count))
        entryCount += 1
        slots[slot] = Int32(entryCount)
        keyArenaUsed += length
        idsArenaUsed += ids.count
    }
}

/// Hands out encoding workspaces so concurrent `encode` calls never share one, and keeps
/// them (with their caches) between calls.
final class WorkspacePool: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var idle: [EncodingWorkspace] = []
    /// At most this many idle workspaces are kept.
    private let maximumIdle = 64

    init() {
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with a workspace no other call is using.
    func withWorkspace<Result>(_ body: (EncodingWorkspace) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        let reused = idle.popLast()
        pthread_mutex_unlock(mutex)
        let workspace = reused ?? EncodingWorkspace()
        defer {
            pthread_mutex_lock(mutex)
            if idle.count < maximumIdle { idle.append(workspace) }
            pthread_mutex_unlock(mutex)
        }
        return try body(workspace)
    }
}
