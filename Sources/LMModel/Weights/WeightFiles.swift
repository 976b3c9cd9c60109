#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LMInput

/// The few file-system operations checkpoint loading and conversion need, on POSIX calls
/// (FoundationEssentials' FileManager is avoided to keep error messages and symlink handling explicit).
enum WeightFiles {
    /// True when `path` names a regular file (following symlinks, as Hugging Face cache snapshots use them).
    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// `directory/name`, without doubling a trailing slash.
    static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The last path component.
    static func baseName(_ path: String) -> String {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        if let slash = trimmed.lastIndex(of: "/") { return String(trimmed[trimmed.index(after: slash)...]) }
        return trimmed
    }

    /// The names in `directory` (not "." or ".."), sorted.
    static func list(_ directory: String) throws -> [String] {
        guard let dir = opendir(directory) else {
            throw InputError.io("\(directory): cannot list folder: \(MappedFile.errnoText())")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Creates `path` as a folder unless it already is one.
    static func makeDirectory(_ path: String) throws {
        if isDirectory(path) { return }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw InputError.io("\(path): cannot create folder: \(MappedFile.errnoText())")
        }
    }

    /// Copies a regular file's bytes (permissions are not kept; model files need none).
    static func copyFile(from source: String, to destination: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw InputError.io("\(source): cannot open: \(MappedFile.errnoText())") }
        defer { close(input) }
        let writer = try FileWriter(path: destination)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError.io("\(source): read failed: \(MappedFile.errnoText())")
            }
            if n == 0 { break }
            try buffer.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        try writer.commit()
    }
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// Writes a file through a temporary sibling renamed into place on `commit()`, so readers (including
/// processes that have the old file mapped) never see a half-written file. Dropped without commit, the
/// temporary file is removed.
final class FileWriter {
    let path: String
    private let temporaryPath: String
    private var fd: Int32
    private var committed = false

    init(path: String) throws {
        self.path = path
        temporaryPath = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw InputError.io("\(path): cannot create: \(MappedFile.errnoText())")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let n = systemWrite(fd, base + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError.io("\(path): write failed: \(MappedFile.errnoText())")
            }
            offset += n
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func commit() throws {
        guard !committed else { return }
        let status = close(fd)
        fd = -1
        guard status == 0 else { throw InputError.io("\(path): write failed: \(MappedFile.errnoText())") }
        guard rename(temporaryPath, path) == 0 else {
            throw InputError.io("\(path): cannot move the written file into place: \(MappedFile.errnoText())")
        }
        committed = true
    }

    deinit {
        if !committed {
            if fd >= 0 { close(fd) }
            unlink(temporaryPath)
        }
    }
}
