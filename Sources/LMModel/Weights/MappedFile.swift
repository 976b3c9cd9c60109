#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LMInput

/// A read-only memory map of a whole file, unmapped when the last reference goes away.
///
/// Checkpoints are mapped rather than read so that opening a multi-gigabyte model costs only the header
/// parse, and tensors are copied out of the page cache once, when the model asks for them. The mapping is
/// private and read-only, so sharing it across threads is safe.
///
/// As with any mapping, a file truncated by another process while mapped makes reads past the new end
/// fault (SIGBUS). Tools that replace checkpoints (this module's writer, the Hugging Face hub client)
/// write a new file and rename it, which leaves existing mappings intact.
///
/// The bytes of a compressed archive entry have no place in the file to map; `init(path:inMemoryCount:fill:)`
/// gives them an anonymous mapping instead, so the readers and `StoredTensor` treat both alike.
final class MappedFile: @unchecked Sendable {
    /// The path the file was opened with (used in error messages); for bytes in memory, the file they
    /// were decoded from.
    let path: String
    /// The mapped bytes; empty (with a nil base) for an empty file, which mmap cannot map.
    let bytes: UnsafeRawBufferPointer
    /// True for anonymous memory (`init(path:inMemoryCount:fill:)`), which has no file behind it: the
    /// paging hints below would discard its only copy, so they are skipped.
    let isInMemory: Bool

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw InputError.io("\(path): cannot open: \(MappedFile.errnoText())")
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 {
            throw InputError.io("\(path): cannot stat: \(MappedFile.errnoText())")
        }
        if (st.st_mode & S_IFMT) != S_IFREG {
            throw InputError.io("\(path): not a regular file")
        }
        let size = Int(st.st_size)
        isInMemory = false
        if size <= 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw InputError.io("\(path): cannot map \(size) bytes: \(MappedFile.errnoText())")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// `count` bytes of anonymous memory written once by `fill` (e.g. an inflated zip entry), then read
    /// only. An anonymous mapping rather than malloc: a size the system cannot provide is an io error
    /// here instead of a trap in the allocator, and pages are only committed as `fill` writes them.
    init(path: String, inMemoryCount count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        self.path = path
        isInMemory = true
        guard count > 0 else {
            try fill(UnsafeMutableRawBufferPointer(start: nil, count: 0))
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              base != MAP_FAILED else {
            throw InputError.io("\(path): cannot allocate \(count) bytes: \(MappedFile.errnoText())")
        }
        do {
            try fill(UnsafeMutableRawBufferPointer(start: base, count: count))
        } catch {
            munmap(base, count)
            throw error
        }
        // Read-only from here on, like a file mapping: a stray write faults instead of changing weights.
        _ = mprotect(base, count, PROT_READ)
        bytes = UnsafeRawBufferPointer(start: base, count: count)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    var count: Int { bytes.count }

    /// The bytes in `range`, which the caller has already checked lies inside the file.
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    /// Tells the kernel the bytes in `range` are about to be read, so that on a cold page cache the whole
    /// tensor is read ahead at once rather than fault by fault (tensors are read in whatever order the
    /// model asks for them, so one sequential hint for the whole file would not fit).
    func willNeed(_ range: Range<Int>) {
        #if os(Linux)
        guard let base = bytes.baseAddress, !range.isEmpty, !isInMemory else { return }
        let start = range.lowerBound & ~4095
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), range.upperBound - start, MADV_WILLNEED)
        #endif
    }

    /// Drops the mapped pages that lie wholly inside `range` from this process's memory once a tensor
    /// has been copied out of them. Without it every page of the checkpoint stays resident (and counted
    /// in RSS) until the whole store is released, so loading peaked at about twice the weights' size.
    /// The mapping is private and read-only: a later read of those bytes faults them back in from the
    /// page cache (or the file), so this is purely advisory.
    func release(_ range: Range<Int>) {
        #if os(Linux)
        // MADV_DONTNEED on anonymous memory zero-fills it: a second read of a tensor would see zeros.
        guard let base = bytes.baseAddress, !range.isEmpty, !isInMemory else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        let start = (range.lowerBound + page - 1) / page * page
        let end = Swift.min(range.upperBound, bytes.count) / page * page
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
        #endif
    }

    static func errnoText() -> String {
        if let s = strerror(errno) { return String(cString: s) }
        return "errno \(errno)"
    }
}
