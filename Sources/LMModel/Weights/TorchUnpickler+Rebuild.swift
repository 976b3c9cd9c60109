import LMInput

/// The PyTorch meaning of the allowed globals: what REDUCE and BINPERSID build. Arguments are checked as
/// strictly as the real functions would, since they come from an untrusted file.

extension TorchUnpickler {
    /// REDUCE: `callable(*args)` for the allowed callables.
    func call(_ callable: PickleValue, _ args: PickleValue, at offset: Int) throws -> PickleValue {
        guard case .global(let global) = callable else {
            throw InputError.format("\(source): REDUCE calls \(callable.kind) at byte \(offset)")
        }
        guard case .tuple(let a, _) = args else {
            throw InputError.format("\(source): arguments of \(global.qualifiedName) are \(args.kind) at byte \(offset)")
        }
        let what = "\(global.qualifiedName) at byte \(offset)"
        func bad(_ message: String) -> InputError { .format("\(source): \(what): \(message)") }
        switch global {
        case .orderedDict:
            guard a.isEmpty else { throw bad("expected no arguments") }
            return .dict(PickleDict())
        case .rebuildTensor, .rebuildTensorV2:
            let count = global == .rebuildTensor ? [4] : [6, 7]
            guard count.contains(a.count) else { throw bad("expected \(count) arguments, got \(a.count)") }
            guard case .storage(let storage) = a[0] else { throw bad("argument 1 is \(a[0].kind), expected a storage") }
            guard case .int(let storageOffset) = a[1], storageOffset >= 0 else {
                throw bad("storage offset is \(a[1].kind), expected a non-negative int")
            }
            let shape = try ints(a[2], bad, "size")
            let strides = try ints(a[3], bad, "stride")
            guard shape.count == strides.count else {
                throw bad("size has \(shape.count) dimensions but stride has \(strides.count)")
            }
            if a.count == 7, case .dict(let metadata) = a[6], !metadata.items.isEmpty {
                // Conjugate/negative view bits: only complex tensors carry them.
                throw InputError.unsupported("\(source): \(what): tensor has view metadata (conj/neg bits)")
            }
            return .tensor(TorchTensorRef(storage: storage, storageOffset: storageOffset, shape: shape, strides: strides))
        case .rebuildParameter, .rebuildParameterWithState:
            let expected = global == .rebuildParameter ? 3 : 4
            guard a.count == expected else { throw bad("expected \(expected) arguments, got \(a.count)") }
            guard case .tensor = a[0] else { throw bad("argument 1 is \(a[0].kind), expected a tensor") }
            return a[0]
        case .storageType:
            throw bad("a storage type cannot be called")
        }
    }

    private func ints(_ value: PickleValue, _ bad: (String) -> InputError, _ name: String) throws -> [Int] {
        guard case .tuple(let items, _) = value else { throw bad("\(name) is \(value.kind), expected a tuple") }
        return try items.map { item in
            guard case .int(let v) = item, v >= 0 else { throw bad("\(name) holds \(item.kind), expected non-negative ints") }
            return v
        }
    }

    /// BINPERSID: `('storage', storage_type, key, location, numel[, view_metadata])` as torch.save writes.
    func persistentStorage(_ pid: PickleValue, at offset: Int) throws -> TorchStorageRef {
        func bad(_ message: String) -> InputError {
            .format("\(source): persistent id at byte \(offset): \(message)")
        }
        guard case .tuple(let t, _) = pid else { throw bad("\(pid.kind), expected a tuple") }
        guard t.count == 5 || t.count == 6, case .string("storage") = t[0] else {
            throw bad("expected ('storage', type, key, location, numel), got a \(t.count)-tuple")
        }
        guard case .global(.storageType(_, let dtype)) = t[1] else { throw bad("storage type is \(t[1].kind)") }
        let key: String
        switch t[2] {
        case .string(let s): key = s
        case .int(let i): key = String(i)
        default: throw bad("storage key is \(t[2].kind)")
        }
        guard case .int(let count) = t[4], count >= 0 else { throw bad("storage size is \(t[4].kind)") }
        if t.count == 6, case .none = t[5] {} else if t.count == 6 {
            throw InputError.unsupported("\(source): storage '\(key)' is a view of another storage "
                + "(pre-1.0 PyTorch format)")
        }
        return TorchStorageRef(key: key, dtype: dtype, count: count)
    }
}
