import CLMCore
import LMCore

/// Reading a caller's parameter struct by its `struct_size` (lmcore.h, "Parameter structs"): the
/// caller's bytes up to its size, the library's defaults for fields appended after the caller
/// was built. A size outside [the ABI 3 struct, the library's struct] is an invalid argument: a
/// struct not started from *_default_params, or from a newer header than this library.
enum ParamStructs {
    static func read<T>(_ pointer: UnsafePointer<T>?, defaults: T, abi3Size: Int,
                        name: String) throws(LMCoreError) -> T {
        guard let pointer else { return defaults }
        let size = UnsafeRawPointer(pointer).loadUnaligned(as: Int.self)
        let full = MemoryLayout<T>.size
        guard size >= abi3Size, size <= full else {
            throw LMCoreError(.invalidArgument, "\(name).struct_size is \(UInt(bitPattern: size)); this library "
                + "reads \(abi3Size)...\(full) (start from \(name == "params" ? "the" : name) default params; "
                + "a larger size comes from a newer lmcore.h than this library)")
        }
        var out = defaults
        withUnsafeMutableBytes(of: &out) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer), count: size))
        }
        return out
    }

    /// The size of lmcore_generation_params in ABI 3 (its last field's end): fields appended later
    /// do not move it.
    static var generationABI3: Int {
        (MemoryLayout<lmcore_generation_params>.offset(of: \.text_callback_user_data) ?? 0)
            + MemoryLayout<UnsafeMutableRawPointer?>.size
    }

    static var modelABI3: Int {
        (MemoryLayout<lmcore_model_params>.offset(of: \.compute_type) ?? 0) + MemoryLayout<UnsafePointer<CChar>?>.size
    }

    static var evaluationABI3: Int {
        (MemoryLayout<lmcore_evaluation_params>.offset(of: \.seed) ?? 0) + MemoryLayout<UInt64>.size
    }

    static func generation(_ p: UnsafePointer<lmcore_generation_params>?) throws(LMCoreError) -> lmcore_generation_params {
        try read(p, defaults: exported_lmcore_generation_default_params(), abi3Size: generationABI3, name: "params")
    }

    static func model(_ p: UnsafePointer<lmcore_model_params>?) throws(LMCoreError) -> lmcore_model_params {
        try read(p, defaults: exported_lmcore_model_default_params(), abi3Size: modelABI3, name: "params")
    }

    static func evaluation(_ p: UnsafePointer<lmcore_evaluation_params>?) throws(LMCoreError) -> lmcore_evaluation_params {
        try read(p, defaults: exported_lmcore_evaluation_default_params(), abi3Size: evaluationABI3, name: "params")
    }
}
