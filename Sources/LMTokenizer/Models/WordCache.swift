import Synchronization

/// A bounded, thread-safe cache from words (UTF-8) to model results, as HF's per-model word
/// cache (10,000 entries, words under 256 bytes; once full it stops inserting, like HF's).
final class WordCache<Value: Sendable>: Sendable {
    struct Key: Hashable, Sendable {
        let bytes: [UInt8]
        let hash: Int
        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            hash = Int(truncatingIfNeeded: h)
        }
        static func == (a: Key, b: Key) -> Bool { a.hash == b.hash && a.bytes == b.bytes }
        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    static var capacity: Int { 10_000 }
    static var maxWordLength: Int { 256 }
    private let storage = Mutex<[Key: Value]>([:])

    func get(_ key: Key) -> Value? {
        storage.withLock { $0[key] }
    }

    func set(_ key: Key, _ value: Value) {
        storage.withLock { s in
            if s.count < WordCache.capacity { s[key] = value }
        }
    }
}
