import LMTensor

/// The tensors of one module of a checkpoint: keys relative to a dotted prefix.
///
/// `weights.scope("model.encoder").scope("layers.0").tensor("fc1.weight", shape: [f, d])` reads
/// "model.encoder.layers.0.fc1.weight". Scopes are cheap values; model code passes them down the
/// module tree the way the checkpoint nests its keys.
package struct WeightScope: Sendable {
    package let store: WeightStore
    /// The dotted prefix, without a trailing dot ("" for the root).
    package let prefix: String

    package init(store: WeightStore, prefix: String) {
        self.store = store
        self.prefix = prefix
    }

    /// The full checkpoint key of `name` in this scope.
    package func key(_ name: String) -> String {
        if prefix.isEmpty { return name }
        if name.isEmpty { return prefix }
        return prefix + "." + name
    }

    /// A nested scope: `scope("a").scope("b")` is `scope("a.b")`.
    package func scope(_ sub: String) -> WeightScope {
        WeightScope(store: store, prefix: key(sub))
    }

    /// True when the checkpoint holds `name` in this scope.
    package func contains(_ name: String) -> Bool {
        store.contains(key(name))
    }

    /// The keys under this scope, relative to it, sorted ("fc1.weight", "self_attn.k_proj.bias", ...).
    package var keys: [String] {
        if prefix.isEmpty { return store.keys }
        let dotted = prefix + "."
        return store.keys.filter { $0.hasPrefix(dotted) }.map { String($0.dropFirst(dotted.count)) }
    }

    /// The dtype, shape and file of `name` in this scope, or nil when absent.
    package func info(_ name: String) -> TensorInfo? {
        store.info(key(name))
    }

    /// The tensor `name` of this scope as float32.
    package func tensor(_ name: String) throws -> Tensor {
        try store.tensor(key(name))
    }

    /// The tensor `name` of this scope as float32, checked to have exactly `shape`.
    package func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        try store.tensor(key(name), shape: shape)
    }

    /// The tensor `name` of this scope as a FloatBuffer, checked to have exactly `shape`.
    package func buffer(_ name: String, shape: [Int]) throws -> FloatBuffer {
        try store.buffer(key(name), shape: shape)
    }

    /// The tensor `name` if the checkpoint has it (optional biases, for instance), else nil.
    package func optionalTensor(_ name: String, shape: [Int]) throws -> Tensor? {
        contains(name) ? try tensor(name, shape: shape) : nil
    }
}
