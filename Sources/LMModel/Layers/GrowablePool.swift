#if canImport(Glibc)
import Glibc
#endif

/// Float storage that grows in place: address space for `maxCount` floats is reserved once
/// (PROT_NONE: no memory, no commit charge), and `grow` makes a longer prefix usable with
/// mprotect, which the kernel backs with zero pages on first touch. The decoder cache grows as
/// decoding goes on; with ordinary allocations each doubling copied every cached key and value and
/// briefly held both the old and the new pools (half again the cache's size at the peak).
final class GrowablePool: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    /// Floats usable now.
    private(set) var capacity = 0
    private let reservedBytes: Int
    private var usableBytes = 0
    private static let pageSize = Swift.max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))

    /// Reserves room for up to `maxCount` floats; none are usable until `grow`.
    init(maxCount: Int) throws {
        let page = GrowablePool.pageSize
        let bytes = (Swift.max(1, maxCount) * MemoryLayout<Float>.stride + page - 1) / page * page
        guard let base = mmap(nil, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              base != MAP_FAILED else {
            throw ModelError.invalidArgument("cannot reserve \(bytes >> 20) MiB of address space for the decoder cache")
        }
        pointer = base.bindMemory(to: Float.self, capacity: bytes / MemoryLayout<Float>.stride)
        reservedBytes = bytes
    }

    /// Makes the first `count` floats usable, keeping what they hold; the pointer never changes.
    func grow(to count: Int) throws {
        guard count > capacity else { return }
        let page = GrowablePool.pageSize
        let bytes = (count * MemoryLayout<Float>.stride + page - 1) / page * page
        guard bytes <= reservedBytes else {
            throw ModelError.invalidArgument("the decoder cache needs \(bytes >> 20) MiB, more than the "
                + "\(reservedBytes >> 20) MiB reserved for it")
        }
        if bytes > usableBytes {
            let start = UnsafeMutableRawPointer(pointer) + usableBytes
            guard mprotect(start, bytes - usableBytes, PROT_READ | PROT_WRITE) == 0 else {
                throw ModelError.invalidArgument("out of memory growing the decoder cache to \(bytes >> 20) MiB")
            }
            usableBytes = bytes
        }
        capacity = count
    }

    deinit {
        munmap(UnsafeMutableRawPointer(pointer), reservedBytes)
    }
}
