#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Whole-file reads for the small files next to a checkpoint (configs, vocabularies, tokenizer.json).
/// Weights are memory-mapped instead (LMModel's `MappedFile`).
package enum FileBytes {
    /// The file's bytes, or `InputError.io` naming `path` and the system's reason.
    package static func read(_ path: String) throws(InputError) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw InputError.io("\(path): cannot read (\(error))")
        }
    }
}
