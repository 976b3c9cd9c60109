import Foundation
import LMGeneration

/// Locates and reads the committed fixtures (Tests/Fixtures/search), found through #filePath.
enum Fixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("search")

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError("\(name): not a JSON object")
        }
        return object
    }

    /// A JSON sub-object re-serialised, to feed the library's own JSON readers.
    static func data(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object)
    }

    static func ints(_ any: Any?) -> [Int32] {
        (any as? [Any] ?? []).map { Int32(truncating: $0 as? NSNumber ?? 0) }
    }

    static func floats(_ any: Any?) -> [Float] {
        (any as? [Any] ?? []).map { Float(truncating: $0 as? NSNumber ?? 0) }
    }

    /// Rows where JSON null stands for -inf.
    static func scoreRow(_ any: Any?) -> [Float] {
        (any as? [Any] ?? []).map { ($0 as? NSNumber).map { Float(truncating: $0) } ?? -.infinity }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// |a − b| ≤ tolerance, treating equal infinities as close.
func close(_ a: Float, _ b: Float, _ tolerance: Float) -> Bool {
    if a == b { return true }
    return abs(a - b) <= tolerance
}

/// Describes the first difference between two float rows, for failure messages.
func firstDifference(_ a: [Float], _ b: [Float], _ tolerance: Float) -> String? {
    guard a.count == b.count else { return "lengths \(a.count) vs \(b.count)" }
    var worst: (Int, Float) = (-1, 0)
    for i in a.indices where !close(a[i], b[i], tolerance) {
        let d = abs(a[i] - b[i])
        if worst.0 < 0 || d > worst.1 || d.isNaN { worst = (i, d) }
    }
    guard worst.0 >= 0 else { return nil }
    let i = worst.0
    return "max difference \(worst.1) at \(i): \(a[i]) vs \(b[i]); first values \(Array(a.prefix(4))) vs \(Array(b.prefix(4)))"
}
