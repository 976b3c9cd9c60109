#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads for the small files next to a checkpoint (configs, vocabularies, tokenizer.json).
/// Weights are memory-mapped instead (LMModel's `MappedFile`).
///
/// Plain POSIX reads, not Foundation's `Data(contentsOf:)`: that leaked a 4 KiB buffer on every
/// empty file (found by the libFuzzer `config` harness, LeakSanitizer; regression input
/// Tests/Fuzz/regressions/config/empty). The size is checked before anything is allocated.
package enum FileBytes {
    /// The largest file read whole: the biggest tokenizer.json files on the hub are ~35 MB.
    package static let maxBytes = 1 << 30

    /// The file's bytes, or `InputError.io` naming `path` and the system's reason.
    package static func read(_ path: String, maxBytes: Int = FileBytes.maxBytes) throws(InputError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError.io("\(path): cannot read (\(reason()))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw InputError.io("\(path): cannot read (\(reason()))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw InputError.io("\(path): not a regular file") }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw InputError.invalidArgument("\(path): \(size) bytes; lmcore reads such files up to \(maxBytes) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return readSome(fd, base + done, size - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError.io("\(path): cannot read (\(reason()))")
            }
            if n == 0 { break }  // the file shrank while being read: keep what was there
            done += n
        }
        if done < size { bytes.removeSubrange(done...) }
        return bytes
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}

/// The C `read` (at file scope, where the name is not FileBytes.read).
private func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
