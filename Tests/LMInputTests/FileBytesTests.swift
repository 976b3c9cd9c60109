import Foundation
import LMInput
import Testing

/// FileBytes (the whole-file reader under every JSON and SentencePiece file): exact bytes, the empty
/// file (Foundation's reader leaked 4 KiB there; Tests/Fuzz/regressions), and clear errors.
@Suite struct FileBytesTests {
    static func temporary(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "lmcore-filebytes-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func readsExactBytes() throws {
        let bytes = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let path = try Self.temporary(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try FileBytes.read(path) == bytes)
        let empty = try Self.temporary([])
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(try FileBytes.read(empty) == [])
    }

    @Test func errorsNameThePathAndReason() throws {
        let path = try Self.temporary(Array(repeating: 7, count: 100))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: InputError.invalidArgument("\(path): 100 bytes; lmcore reads such files up to 99 bytes")) {
            try FileBytes.read(path, maxBytes: 99)
        }
        #expect(throws: InputError.io("/nonexistent/x.json: cannot read (No such file or directory)")) {
            try FileBytes.read("/nonexistent/x.json")
        }
        #expect(throws: InputError.io("\(NSTemporaryDirectory()): not a regular file")) {
            try FileBytes.read(NSTemporaryDirectory())
        }
    }
}
