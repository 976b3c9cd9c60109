import Synchronization

/// Checkpoint keys noted while a model loads, in order, each once (which tensors the loaders take as
/// linear weights: `WeightStore.recordingLinearWeights`).
package final class KeyLog: Sendable {
    private let state = Mutex<(order: [String], seen: Set<String>)>(([], []))

    package init() {}

    package func record(_ key: String) {
        state.withLock { state in
            if state.seen.insert(key).inserted { state.order.append(key) }
        }
    }

    package var keys: [String] { state.withLock { $0.order } }
}
