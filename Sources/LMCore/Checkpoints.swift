import LMModel

/// Checkpoint file operations.
public enum Checkpoints {
    /// Writes `<output>/model.safetensors` from the checkpoint in `directory` (safetensors,
    /// sharded, or pytorch_model.bin read with the restricted unpickler) and copies its other
    /// files (config, tokenizer). With `quantizeInt8`, the linear weights are stored as int8 rows
    /// with one scale per row, as an int8 load packs them (about a quarter of the float32 bytes; the
    /// file then loads without quantizing). Returns a one-line summary.
    public static func convert(directory: String, to output: String,
                               quantizeInt8: Bool = false) throws(LMCoreError) -> String {
        try lmcore {
            let summary = try WeightConverter.convert(directory: directory, to: output, quantizeInt8: quantizeInt8)
            return "\(summary.tensorCount) tensors, \(summary.dataBytes) bytes -> \(summary.output)"
                + (summary.copiedFiles.isEmpty ? "" : "; copied \(summary.copiedFiles.joined(separator: ", "))")
        }
    }
}
