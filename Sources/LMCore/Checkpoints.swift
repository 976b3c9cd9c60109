import LMModel

/// Checkpoint file operations.
public enum Checkpoints {
    /// Writes `<output>/model.safetensors` from the checkpoint in `directory` (safetensors,
    /// sharded, or pytorch_model.bin read with the restricted unpickler) and copies its other
    /// files (config, tokenizer). Returns a one-line summary.
    public static func convert(directory: String, to output: String) throws(LMCoreError) -> String {
        try lmcore {
            let summary = try WeightConverter.convert(directory: directory, to: output)
            return "\(summary.tensorCount) tensors, \(summary.dataBytes) bytes -> \(summary.output)"
                + (summary.copiedFiles.isEmpty ? "" : "; copied \(summary.copiedFiles.joined(separator: ", "))")
        }
    }
}
