/// An element type of a stored tensor, spelled as the safetensors format spells it (the raw value).
///
/// Every dtype the format defines is listed so that any valid file can be opened and inspected; only
/// `f32`, `f16`, `bf16` and `f64` can be read as float32 tensors.
// Follows the Dtype enum of the safetensors crate (huggingface/safetensors, 0.8).
package enum DType: String, Sendable, CaseIterable {
    case bool = "BOOL"
    case f4 = "F4"
    case f6E2M3 = "F6_E2M3"
    case f6E3M2 = "F6_E3M2"
    case u8 = "U8"
    case i8 = "I8"
    case f8E5M2 = "F8_E5M2"
    case f8E4M3 = "F8_E4M3"
    case f8E8M0 = "F8_E8M0"
    case f8E4M3FNUZ = "F8_E4M3FNUZ"
    case f8E5M2FNUZ = "F8_E5M2FNUZ"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case c64 = "C64"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"

    /// Bits per element (4 and 6 for the packed microscaling formats).
    package var bitSize: Int {
        switch self {
        case .f4: return 4
        case .f6E2M3, .f6E3M2: return 6
        case .bool, .u8, .i8, .f8E5M2, .f8E4M3, .f8E8M0, .f8E4M3FNUZ, .f8E5M2FNUZ: return 8
        case .i16, .u16, .f16, .bf16: return 16
        case .i32, .u32, .f32: return 32
        case .c64, .f64, .i64, .u64: return 64
        }
    }

    /// Whole bytes per element, nil for the sub-byte formats.
    package var byteSize: Int? {
        bitSize % 8 == 0 ? bitSize / 8 : nil
    }

    /// True for the dtypes `WeightStore.tensor` converts to float32.
    package var isReadableAsFloat: Bool {
        self == .f32 || self == .f16 || self == .bf16 || self == .f64
    }
}

/// What a checkpoint says about one tensor, before any data is read.
package struct TensorInfo: Sendable, Equatable, CustomStringConvertible {
    /// The checkpoint key, e.g. "model.encoder.layers.0.fc1.weight".
    package let name: String
    /// The element type as stored in the file.
    package let dtype: DType
    /// The logical shape (row-major).
    package let shape: [Int]
    /// The file holding the data.
    package let file: String

    package init(name: String, dtype: DType, shape: [Int], file: String) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.file = file
    }

    /// The number of elements (1 for a scalar); validated not to overflow when the file was opened.
    package var elementCount: Int {
        shape.reduce(1, { $0 &* $1 })
    }

    package var description: String {
        "\(name): \(dtype.rawValue) \(shape) in \(file)"
    }
}
