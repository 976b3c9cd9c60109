#if canImport(Glibc)
import Glibc
#endif
import LMInput

/// Float storage that grows in place: address space for up to `maxCount` floats is reserved once
/// (PROT_NONE: no memory, no commit charge), and `grow` makes a longer prefix usable with
/// mprotect, which the kernel backs with zero pages on first touch. The decoder cache grows as
/// decoding goes on; with ordinary allocations each doubling copied every cached key and value and
/// briefly held both the old and the new pools (half again the cache's size at the peak).
///
/// Where address space is capped (RLIMIT_AS) or the reservation fails, a pool reserves only what it
/// needs now and, when it outgrows that, moves to a reservation twice as large by copying, as the
/// cache always did before: slower, never wrong.
final class GrowablePool: @unchecked Sendable {
    private(set) var pointer: UnsafeMutablePointer<Float>
    /// Floats usable now.
    private(set) var capacity = 0
    private var reservedBytes: Int
    private var usableBytes = 0
    private static let pageSize = Swift.max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))

    /// Reserves room for up to `maxCount` floats, or for `minCount` when that much address space is
    /// not available; none are usable until `grow`.
    init(maxCount: Int, minCount: Int) throws {
        let preferred = GrowablePool.roundedBytes(Swift.max(1, maxCount))
        let fallback = GrowablePool.roundedBytes(Swift.max(1, Swift.min(minCount, maxCount)))
        if let base = GrowablePool.reserve(preferred) {
            pointer = base
            reservedBytes = preferred
        } else if let base = GrowablePool.reserve(fallback) {
            pointer = base
            reservedBytes = fallback
        } else {
            throw InputError.invalidArgument("cannot reserve \(fallback >> 10) KiB of address space for the decoder cache")
        }
    }

    /// Whether the process's address space is capped (RLIMIT_AS, as `ulimit -v` sets): then reserving
    /// far ahead of need could starve other allocations, and pools should reserve only what they use.
    static let addressSpaceIsLimited: Bool = {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0 else { return true }
        return limit.rlim_cur != rlim_t.max
    }()

    /// Makes the first `count` floats usable, keeping what they hold. The pointer changes only when
    /// the pool outgrows its reservation.
    func grow(to count: Int) throws {
        guard count > capacity else { return }
        let bytes = GrowablePool.roundedBytes(count)
        if bytes > reservedBytes {
            try move(toReservationOf: Swift.max(bytes, 2 * reservedBytes))
        }
        if bytes > usableBytes {
            let start = UnsafeMutableRawPointer(pointer) + usableBytes
            guard mprotect(start, bytes - usableBytes, PROT_READ | PROT_WRITE) == 0 else {
                throw InputError.invalidArgument("out of memory growing the decoder cache to \(bytes >> 20) MiB")
            }
            usableBytes = bytes
        }
        capacity = count
    }

    /// A larger reservation, with the usable prefix copied over.
    private func move(toReservationOf bytes: Int) throws {
        guard let base = GrowablePool.reserve(bytes) else {
            throw InputError.invalidArgument("cannot reserve \(bytes >> 20) MiB of address space for the decoder cache")
        }
        if usableBytes > 0 {
            guard mprotect(UnsafeMutableRawPointer(base), usableBytes, PROT_READ | PROT_WRITE) == 0 else {
                munmap(UnsafeMutableRawPointer(base), bytes)
                throw InputError.invalidArgument("out of memory growing the decoder cache to \(bytes >> 20) MiB")
            }
            UnsafeMutableRawPointer(base).copyMemory(from: UnsafeRawPointer(pointer), byteCount: usableBytes)
        }
        munmap(UnsafeMutableRawPointer(pointer), reservedBytes)
        pointer = base
        reservedBytes = bytes
    }

    private static func roundedBytes(_ count: Int) -> Int {
        let page = pageSize
        return (count * MemoryLayout<Float>.stride + page - 1) / page * page
    }

    private static func reserve(_ bytes: Int) -> UnsafeMutablePointer<Float>? {
        guard let base = mmap(nil, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              base != MAP_FAILED else { return nil }
        return base.bindMemory(to: Float.self, capacity: bytes / MemoryLayout<Float>.stride)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(pointer), reservedBytes)
    }
}
