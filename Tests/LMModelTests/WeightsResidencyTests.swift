import Foundation
import LMModel
import LMTensor
import Testing

/// Loading copies each tensor out of the checkpoint's mapping and then drops the mapped pages, so
/// loading peaks near the weights' size rather than twice it. Measured on the mapping itself
/// (its Rss line in /proc/self/smaps), which other tests running alongside cannot disturb.
@Suite struct WeightsResidencyTests {
    /// Resident kB of the mapping of `path` in this process, or nil when it is not mapped.
    static func residentKilobytes(of path: String) -> Int? {
        // /proc files report size 0, so read to the end rather than by size.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/smaps")?.readDataToEndOfFile() else { return nil }
        let smaps = String(decoding: data, as: UTF8.self)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if line.first?.isHexDigit == true && line.contains("-") && line.split(separator: " ").count >= 5 {
                inMapping = line.hasSuffix(path)
            } else if inMapping, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ")[1])
            }
        }
        return nil
    }

    @Test func tensorPagesAreDroppedAfterTheCopy() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lmcore-residency-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/model.safetensors"
        let count = 4 << 20   // 16 MiB of float32
        let values = (0..<count).map { Float($0 % 977) }
        try SafetensorsWriter.write(tensors: [("big", Tensor(shape: [count], storage: values))], to: path)

        let store = try WeightStore.open(files: [path])
        try withExtendedLifetime(store) {
            let loaded = try store.tensor("big", shape: [count])
            #expect(loaded.storage == values)
            // The store keeps the file mapped; only the header page and the partial last page may stay.
            let resident = try #require(Self.residentKilobytes(of: path), "the checkpoint is not mapped")
            #expect(resident <= 64, "\(resident) kB of the 16 MiB mapping still resident after the copy")
        }
    }
}
