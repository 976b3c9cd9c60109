#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LMCore

/// libFuzzer's entry points. Each harness writes the fuzzer's bytes where lmcore reads an
/// untrusted file (or passes them as text or ids) and calls the public API; any error lmcore
/// throws is the expected outcome. A crash, an ASan report, a timeout (-timeout) or an
/// allocation past -rss_limit_mb / -malloc_limit_mb is a finding.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    guard let name = ProcessInfo.processInfo.environment["LMCORE_FUZZ_TARGET"], let target = Harness(rawValue: name) else {
        FileHandle.standardError.write(Data(("lmcore-fuzz: set LMCORE_FUZZ_TARGET to one of \(Harness.allCases.map(\.rawValue).joined(separator: " "))\n").utf8))
        exit(2)
    }
    Harness.current = target
    Harness.prepare()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    Harness.current?.run(bytes)
    return 0
}

enum Harness: String, CaseIterable {
    case safetensors            // model.safetensors of a Marian fixture
    case torchBin = "torch-bin" // pytorch_model.bin (torch zip + pickle, or legacy pickle)
    case npz                    // model.npz of the recurrent fixture
    case config                 // config.json beside valid weights
    case generationConfig = "generation-config"
    case tokenizerJSON = "tokenizer-json"
    case sentencepiece          // a SentencePiece .model (protobuf)
    case marianVocab = "marian-vocab"  // vocab.json beside small real source.spm / target.spm
    case encode                 // arbitrary bytes as text through every tokenizer fixture
    case decode                 // arbitrary ids through every tokenizer fixture

    nonisolated(unsafe) static var current: Harness?
    nonisolated(unsafe) static var directory = ""
    nonisolated(unsafe) static var tokenizers: [any TextTokenizer] = []

    /// The repository, from LMCORE_ROOT (libfuzzer.sh sets it).
    static var root: String { ProcessInfo.processInfo.environment["LMCORE_ROOT"] ?? FileManager.default.currentDirectoryPath }
    static var shared: String { ProcessInfo.processInfo.environment["LMCORE_SHARED"] ?? root + "/../shared" }

    /// A scratch folder in memory (/dev/shm when there is one) holding a fixture's other files.
    static func prepare() {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        directory = base + "/lmcore-fuzz-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fixtures = root + "/Tests/Fixtures/models/"
        func copy(_ from: String, _ names: [String]) {
            for name in names { try? FileManager.default.copyItem(atPath: from + "/" + name, toPath: directory + "/" + name) }
        }
        switch current {
        case .safetensors, .generationConfig:
            copy(fixtures + "marian-swish-tied", ["config.json", "generation_config.json", "model.safetensors"])
        case .config:
            copy(fixtures + "marian-swish-tied", ["model.safetensors"])
        case .torchBin:
            copy(fixtures + "rnn-gru-bahdanau-bi", ["config.json", "generation_config.json"])
        case .npz:
            copy(fixtures + "rnn-lstm-none-npz", ["config.json", "generation_config.json"])
        case .marianVocab:
            // Small real SentencePiece models (8-11 KB): each input loads both, and opus-mt's 800 KB
            // ones took about a second per input under ASan.
            copy(root + "/Tests/Fixtures/sentencepiece/marian-joint-codes", ["source.spm", "target.spm", "tokenizer_config.json", "special_tokens_map.json"])
        case .encode, .decode:
            let paths = [root + "/models/numbers-7lang"] + ["gpt2", "bert-base-uncased", "t5-small", "roberta-base",
                                                            "marian-nmt-ortx-test"].map { shared + "/testdata/tokenizers/" + $0 }
                + [shared + "/testdata/marian-spm/opus-mt-en-mg"]
            tokenizers = paths.compactMap { try? Tokenizers.load(path: $0) }
            if tokenizers.count != paths.count {
                FileHandle.standardError.write(Data(("lmcore-fuzz: \(paths.count - tokenizers.count) tokenizer fixtures did not load\n").utf8))
                exit(2)
            }
        case .tokenizerJSON, .sentencepiece, .none:
            break
        }
    }

    func write(_ bytes: [UInt8], _ name: String) -> String {
        let path = Harness.directory + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// The model-file harnesses: the fuzzed bytes as one file of an otherwise valid model folder.
    static let modelFiles: [Harness: String] = [.safetensors: "model.safetensors", .torchBin: "pytorch_model.bin",
                                                .npz: "model.npz", .config: "config.json",
                                                .generationConfig: "generation_config.json"]

    func run(_ bytes: [UInt8]) {
        let noTokenizer = ModelOptions(threads: 1, loadTokenizer: false)
        if let name = Harness.modelFiles[self] {
            _ = write(bytes, name)
            guard let model = try? Model.load(path: Harness.directory, options: noTokenizer) else { return }
            exercise(model)
            // A model that loads is loaded again as int8, so stored int8 weights (`convert --quantize
            // int8`) reach their packing path as well as the dequantizing one float32 takes.
            exercise(try? Model.load(path: Harness.directory,
                                     options: ModelOptions(threads: 1, loadTokenizer: false, computeType: .int8)))
            return
        }
        switch self {
        case .safetensors, .torchBin, .npz, .config, .generationConfig:
            break
        case .tokenizerJSON:
            let path = write(bytes, "tokenizer.json")
            if let t = try? Tokenizers.load(path: path) { use(t) }
        case .sentencepiece:
            let path = write(bytes, "fuzz.model")
            if let t = try? Tokenizers.load(path: path) { use(t) }
        case .marianVocab:
            _ = write(bytes, "vocab.json")
            if let t = try? Tokenizers.load(path: Harness.directory) { use(t) }
        case .encode:
            let text = String(decoding: bytes, as: UTF8.self)
            for t in Harness.tokenizers {
                if let ids = try? t.encode(text).ids { _ = try? t.decode(ids, skipSpecialTokens: false) }
                _ = try? t.encode(text, pair: text, addSpecialTokens: true)
            }
        case .decode:
            var ids: [Int32] = []
            var i = 0
            while i + 2 <= bytes.count {  // 16-bit ids reach every fixture's vocabulary and past it
                ids.append(Int32(bytes[i]) | Int32(bytes[i + 1]) << 8)
                i += 2
            }
            for t in Harness.tokenizers {
                _ = try? t.decode(ids, skipSpecialTokens: true)
                _ = try? t.decode(ids, skipSpecialTokens: false)
            }
        }
    }

    /// A model that loaded runs one short greedy step sequence, so weights are really read.
    func exercise(_ model: Model?) {
        guard let model else { return }
        var options = GenerationOptions()
        options.maxNewTokens = 3
        options.numBeams = 1
        _ = try? model.generate([[4, 5, 6]], options: options, request: RequestOptions())
    }

    func use(_ t: any TextTokenizer) {
        for text in ["Hello world, 123!", "  ünïcödé 東京 😀 ", ""] {
            if let ids = try? t.encode(text).ids { _ = try? t.decode(ids, skipSpecialTokens: true) }
        }
    }
}
