import LMInput

/// What the PyTorch zip and legacy readers share: reading a state dict out of the unpickled value, and
/// checking each tensor's strided view against the bytes of its storage.

enum TorchCheckpoint {
    /// The tensors of a state dict (a dict of name -> tensor), in file order; a repeated name keeps its
    /// last value, as Python's dict does. Entries that are not tensors are skipped.
    static func stateDictTensors(_ root: PickleValue, path: String) throws -> [(name: String, tensor: TorchTensorRef)] {
        guard case .dict(let dict) = root else {
            throw InputError.format("\(path): the checkpoint holds \(root.kind), not a state dict of tensors")
        }
        var order: [String] = []
        var byName: [String: TorchTensorRef] = [:]
        var otherKeys: [String] = []
        for (key, value) in dict.items {
            guard case .string(let name) = key else {
                throw InputError.format("\(path): state dict key is \(key.kind), expected a string")
            }
            guard case .tensor(let tensor) = value else {
                otherKeys.append(name)
                continue
            }
            if byName.updateValue(tensor, forKey: name) == nil { order.append(name) }
        }
        if order.isEmpty && !otherKeys.isEmpty {
            let shown = otherKeys.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            throw InputError.format("\(path): no tensors at the top level (keys: \(shown)): a training checkpoint "
                + "rather than a model state dict?")
        }
        return order.compactMap { name in byName[name].map { (name, $0) } }
    }

    /// Checks that `tensor` fits in its storage, whose `storageBytes` bytes start at `storageStart` in
    /// `file`, and describes it as a stored tensor.
    static func storedTensor(name: String, tensor: TorchTensorRef, file: MappedFile,
                             storageStart: Int, storageBytes: Int) throws -> StoredTensor {
        let path = file.path
        let what = "\(path): tensor '\(name)'"
        let storage = tensor.storage
        let elementSize = storage.dtype.byteSize ?? 1
        let (declaredBytes, overflow) = storage.count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, declaredBytes == storageBytes else {
            throw InputError.format("\(what): storage '\(storage.key)' should hold \(storage.count) "
                + "\(storage.dtype.rawValue) elements but has \(storageBytes) bytes")
        }
        guard let count = SafetensorsFile.checkedProduct(tensor.shape) else {
            throw InputError.format("\(what): shape \(tensor.shape) overflows")
        }
        let info = TensorInfo(name: name, dtype: storage.dtype, shape: tensor.shape, file: path)
        if count == 0 {
            return StoredTensor(info: info, file: file, byteOffset: storageStart, strides: nil)
        }
        // The last element addressed: offset + Σ (size - 1) × stride, which must lie inside the storage.
        var last = tensor.storageOffset
        var strides = tensor.strides
        for d in 0..<tensor.shape.count {
            if tensor.shape[d] == 1 { strides[d] = 0; continue }
            let (step, o1) = (tensor.shape[d] - 1).multipliedReportingOverflow(by: strides[d])
            let (sum, o2) = last.addingReportingOverflow(step)
            guard !o1, !o2 else { throw InputError.format("\(what): strides \(tensor.strides) overflow") }
            last = sum
        }
        guard last < storage.count else {
            throw InputError.format("\(what): view (offset \(tensor.storageOffset), shape \(tensor.shape), "
                + "strides \(tensor.strides)) reaches element \(last) of storage '\(storage.key)', which holds "
                + "\(storage.count)")
        }
        // Overlapping views (stride 0 from expand()) could claim far more elements than the file holds.
        guard count <= storage.count else {
            throw InputError.unsupported("\(what): shape \(tensor.shape) addresses \(count) elements of a "
                + "\(storage.count)-element storage (an expanded, overlapping view)")
        }
        let layout: [Int]? = StoredTensor.isRowMajor(shape: tensor.shape, strides: strides) ? nil : strides
        return StoredTensor(info: info, file: file,
                            byteOffset: storageStart + tensor.storageOffset * elementSize, strides: layout)
    }
}
