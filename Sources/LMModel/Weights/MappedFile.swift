#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file, unmapped when the last reference goes away.
///
/// Checkpoints are mapped rather than read so that opening a multi-gigabyte model costs only the header
/// parse, and tensors are copied out of the page cache once, when the model asks for them. The mapping is
/// private and read-only, so sharing it across threads is safe.
final class MappedFile: @unchecked Sendable {
    /// The path the file was opened with (used in error messages).
    let path: String
    /// The mapped bytes; empty (with a nil base) for an empty file, which mmap cannot map.
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw ModelError.io("\(path): cannot open: \(MappedFile.errnoText())")
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 {
            throw ModelError.io("\(path): cannot stat: \(MappedFile.errnoText())")
        }
        if (st.st_mode & S_IFMT) != S_IFREG {
            throw ModelError.io("\(path): not a regular file")
        }
        let size = Int(st.st_size)
        if size <= 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw ModelError.io("\(path): cannot map \(size) bytes: \(MappedFile.errnoText())")
        }
        // Tensors are read front to back, each once: ask the kernel for aggressive read-ahead.
        _ = madvise(base, size, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: base, count: size)
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

    static func errnoText() -> String {
        if let s = strerror(errno) { return String(cString: s) }
        return "errno \(errno)"
    }
}
