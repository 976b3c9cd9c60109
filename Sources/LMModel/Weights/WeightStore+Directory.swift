import LMInput

extension WeightStore {
    /// Checkpoint file names in a model folder, in the order transformers prefers them.
    package static let checkpointNames = [
        "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json",
        "model.npz",
    ]

    /// Opens a model folder: `model.safetensors`, or shards listed in `model.safetensors.index.json`, or
    /// `pytorch_model.bin`, or shards listed in `pytorch_model.bin.index.json`, or a numpy `model.npz` —
    /// the first present, in that order (safetensors first, as transformers does; numpy, which
    /// transformers never writes, last).
    package static func open(directory: String) throws -> WeightStore {
        guard WeightFiles.isDirectory(directory) else {
            throw InputError.io("\(directory): not a folder")
        }
        for name in checkpointNames {
            let path = WeightFiles.join(directory, name)
            guard WeightFiles.isRegularFile(path) else { continue }
            if name.hasSuffix(".index.json") {
                return try openSharded(index: path, directory: directory)
            }
            let opened = try CheckpointFile.open(path: path)
            return try WeightStore(source: path, tensors: opened.tensors, metadata: opened.metadata)
        }
        throw InputError.io("\(directory): no checkpoint found (looked for "
            + checkpointNames.joined(separator: ", ") + ")")
    }

    /// Opens the shards named by a `*.index.json` file (`{"weight_map": {key: shard file}}`).
    ///
    /// Every shard named must exist inside `directory`; each key of the map must be in the shard the map
    /// names. Keys a shard holds but the map omits are kept too (transformers loads whole shards).
    static func openSharded(index path: String, directory: String) throws -> WeightStore {
        let index = try ShardIndex(path: path)
        var shards: [String: CheckpointFile] = [:]
        for shard in index.shardNames {
            let shardPath = WeightFiles.join(directory, shard)
            guard WeightFiles.isRegularFile(shardPath) else {
                throw InputError.io("\(path): shard '\(shard)' is missing from \(directory)")
            }
            shards[shard] = try CheckpointFile.open(path: shardPath)
        }
        var chosen: [String: StoredTensor] = [:]
        var owner: [String: String] = [:]
        for shard in index.shardNames {
            guard let file = shards[shard] else { continue }
            for t in file.tensors {
                let key = t.info.name
                if let mapped = index.weightMap[key] {
                    if mapped == shard { chosen[key] = t }
                    continue
                }
                if let first = owner[key] {
                    throw InputError.format("\(path): tensor '\(key)' is in shards '\(first)' and '\(shard)' "
                        + "and the weight_map does not say which to use")
                }
                owner[key] = shard
                chosen[key] = t
            }
        }
        for (key, shard) in index.weightMap.sorted(by: { $0.key < $1.key }) where chosen[key] == nil {
            throw InputError.format("\(path): weight_map puts tensor '\(key)' in '\(shard)', "
                + "but that shard does not contain it")
        }
        var metadata: [String: String] = [:]
        for shard in index.shardNames {
            metadata.merge(shards[shard]?.metadata ?? [:]) { first, _ in first }
        }
        return try WeightStore(source: path, tensors: Array(chosen.values), metadata: metadata)
    }
}

/// A sharded checkpoint's index: which shard file holds each tensor.
struct ShardIndex {
    /// Tensor key -> shard file name (relative to the index's folder).
    let weightMap: [String: String]
    /// The distinct shard names, sorted.
    let shardNames: [String]

    /// Index files are small; anything larger than this is not one.
    static let maxSize = 100_000_000

    init(path: String) throws {
        let file = try MappedFile(path: path)
        guard file.count <= ShardIndex.maxSize else {
            throw InputError.format("\(path): \(file.count) bytes is too large for a checkpoint index")
        }
        let json: JSONValue
        do {
            json = try JSONReader.parse(file.bytes, options: .uniqueKeys)
        } catch {
            throw InputError.format("\(path): not valid JSON: \(error.message) at byte \(error.offset)")
        }
        guard case .object = json else {
            throw InputError.format("\(path): expected a JSON object, found \(json.kind)")
        }
        guard let mapValue = json["weight_map"] else {
            throw InputError.format("\(path): no 'weight_map'")
        }
        guard case .object(let members) = mapValue else {
            throw InputError.format("\(path): 'weight_map' is \(mapValue.kind), expected an object")
        }
        var map: [String: String] = [:]
        for (key, value) in members {
            guard case .string(let shard) = value else {
                throw InputError.format("\(path): weight_map entry '\(key)' is \(value.kind), expected a file name")
            }
            try ShardIndex.checkShardName(shard, key: key, path: path)
            map[key] = shard
        }
        weightMap = map
        shardNames = Set(map.values).sorted()
    }

    /// Shards must be plain relative paths inside the model folder: an index must not reach other files.
    static func checkShardName(_ shard: String, key: String, path: String) throws {
        let components = shard.split(separator: "/", omittingEmptySubsequences: false)
        let bad = shard.isEmpty || shard.hasPrefix("/") || shard.contains("\\") || shard.contains("\0")
            || components.contains(where: { $0 == ".." || $0.isEmpty })
        if bad {
            throw InputError.format("\(path): weight_map entry '\(key)' names shard '\(shard)', "
                + "which is not a file inside the model folder")
        }
    }
}
