/// A value built by `TorchUnpickler`: plain data, or one of the few PyTorch objects a state dict holds.
/// Nothing here can run code; callables are the closed set `TorchGlobal`.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer too large for Int, as little-endian two's-complement bytes (torch's legacy magic number).
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    /// A tuple and its nesting depth (1 + the deepest item's).
    case tuple([PickleValue], depth: Int)
    /// Lists and dicts are references: pickle memoizes them and fills them after creation.
    case list(PickleList)
    case dict(PickleDict)
    case global(TorchGlobal)
    case storage(TorchStorageRef)
    case tensor(TorchTensorRef)

    /// How deeply containers nest inside this value (0 for a scalar). `TorchUnpickler` bounds it, because
    /// releasing a deeply nested value recurses once per level and could overflow the stack.
    var depth: Int {
        switch self {
        case .tuple(_, let depth): return depth
        case .list(let list): return list.depth
        case .dict(let dict): return dict.depth
        default: return 0
        }
    }

    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "a bool"
        case .int, .bigInt: return "an int"
        case .float: return "a float"
        case .string: return "a string"
        case .bytes: return "bytes"
        case .tuple: return "a tuple"
        case .list: return "a list"
        case .dict: return "a dict"
        case .global(let g): return "the global '\(g.qualifiedName)'"
        case .storage: return "a storage"
        case .tensor: return "a tensor"
        }
    }
}

/// A list or dict under construction. Once placed inside another container it is frozen: pickles made by
/// Python fill a container before using it, and freezing keeps every recorded depth exact.
class PickleContainer {
    var depth = 1
    var frozen = false
}

final class PickleList: PickleContainer {
    var items: [PickleValue] = []
}

final class PickleDict: PickleContainer {
    /// Members in insertion order (state dicts are OrderedDicts); a repeated key replaces the value.
    var items: [(key: PickleValue, value: PickleValue)] = []
}

/// The only globals a checkpoint may name: those `torch.save` emits for a dict of tensors.
enum TorchGlobal: Equatable {
    case orderedDict
    case rebuildTensor
    case rebuildTensorV2
    case rebuildParameter
    case rebuildParameterWithState
    /// A typed storage class such as `torch.FloatStorage`, standing for its element type.
    case storageType(name: String, dtype: DType)

    /// Storage classes by name, with the safetensors dtype of their elements.
    static let storageTypes: [String: DType] = [
        "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16, "DoubleStorage": .f64,
        "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8,
        "ByteStorage": .u8, "BoolStorage": .bool,
    ]

    /// Resolves `module.name`, or nil for anything not on the allow-list.
    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor"): self = .rebuildTensor
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): self = .rebuildParameterWithState
        case ("torch", _):
            guard let dtype = TorchGlobal.storageTypes[name] else { return nil }
            self = .storageType(name: name, dtype: dtype)
        default: return nil
        }
    }

    var qualifiedName: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensor: return "torch._utils._rebuild_tensor"
        case .rebuildTensorV2: return "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: return "torch._utils._rebuild_parameter"
        case .rebuildParameterWithState: return "torch._utils._rebuild_parameter_with_state"
        case .storageType(let name, _): return "torch.\(name)"
        }
    }
}

/// A storage a checkpoint refers to by key: its element type and length; the bytes live elsewhere
/// (a zip entry, or the tail of a legacy file).
struct TorchStorageRef {
    let key: String
    let dtype: DType
    let count: Int
}

/// A tensor as `torch._utils._rebuild_tensor_v2` would build it: a strided view into a storage.
struct TorchTensorRef {
    let storage: TorchStorageRef
    /// In elements.
    let storageOffset: Int
    let shape: [Int]
    /// In elements.
    let strides: [Int]
}
