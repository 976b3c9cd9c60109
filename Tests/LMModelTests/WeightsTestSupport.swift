import Foundation
import LMModel
import LMTensor
import Testing
import LMInput

/// Paths of the weight fixtures (made by Tests/Generator/gen_weights.py) and scratch files.
enum WeightsFixtures {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/weights").path

    static func path(_ name: String) -> String { root + "/" + name }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// The "tensors" map of a `*.expected.json` golden file.
    static func expected(_ name: String) throws -> [String: Golden] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(name)))
        return try JSONDecoder().decode(GoldenFile.self, from: data).tensors
    }

    struct GoldenFile: Decodable {
        let tensors: [String: Golden]
    }

    struct Golden: Decodable {
        var values: [Float]? { bits?.map { Float(bitPattern: $0) } }
        let dtype: String?
        let shape: [Int]
        /// Float32 bit patterns of the values, row-major.
        let bits: [UInt32]?
        let sum: Double?
        let first: [Double]?
    }
}

/// A fresh temporary folder, removed by `cleanup()`.
struct ScratchFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("lmcore-weights-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The message of the InputError `body` throws, or a failure if it throws something else or nothing.
func modelError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> InputError? {
    do {
        try body()
        Issue.record("expected a InputError, but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as InputError {
        return error
    } catch {
        Issue.record("expected a InputError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension InputError {
    var isFormat: Bool { if case .format = self { return true } else { return false } }
    var isUnsupported: Bool { if case .unsupported = self { return true } else { return false } }
    var isIO: Bool { if case .io = self { return true } else { return false } }
    var isInvalidArgument: Bool { if case .invalidArgument = self { return true } else { return false } }
}

/// Exact comparison of float32 values (NaN equal to NaN, -0 distinct from +0), reporting the first
/// difference.
func expectBitEqual(_ actual: [Float], _ expected: [Float], _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    for i in actual.indices where actual[i].bitPattern != expected[i].bitPattern
        && !(actual[i].isNaN && expected[i].isNaN) {
        let message = "\(what): value \(i) is \(actual[i]), expected \(expected[i]) "
            + "(first values \(Array(actual.prefix(4))) vs \(Array(expected.prefix(4))))"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        return
    }
}

/// Builds safetensors bytes: the 8-byte length (declared, or the real one), the header text, the data.
func safetensorsBytes(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let headerBytes = Array(header.utf8)
    var out: [UInt8] = []
    let n = declaredLength ?? UInt64(headerBytes.count)
    withUnsafeBytes(of: n.littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: headerBytes)
    out.append(contentsOf: data)
    return out
}

/// Little-endian float32 bytes.
func float32Bytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
}
