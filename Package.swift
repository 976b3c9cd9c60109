// swift-tools-version:6.1
// lmcore: an embeddable engine for Transformer encoder-decoder models.
// The data flow is the target graph: LMTokenizer (text <-> ids), LMTensor (numbers),
// LMModel (ids -> logits), LMGeneration (logits -> ids), LMCore (the Swift API),
// LMCoreC (the C ABI, built as liblmcore.so) and lmcore-cli.
import PackageDescription

// Hot loops are compiled for Haswell-class CPUs (x86-64-v3: AVX2, FMA, F16C): without it Swift emits scalar code
// for SIMD types and calls into libm for every fma. See README "CPU requirements".
let cpuFlags: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux])),
]

// Fail the build, not the user's dlopen, on a symbol left undefined. Not in sanitizer builds
// (LMCORE_SANITIZER_BUILD=1, scripts/sanitize.sh): there the program that loads the library brings
// the sanitizer runtime its instrumented code calls.
let sanitizerBuild = Context.environment["LMCORE_SANITIZER_BUILD"] != nil
let noUndefinedSymbols: [String] = sanitizerBuild ? [] : ["-Xlinker", "-z", "-Xlinker", "defs"]
// liblmcore.so carries the Swift runtime (static-stdlib) so it loads into any C or Python process.
// Not in sanitizer builds: a statically linked libdispatch is invisible to ThreadSanitizer's
// dispatch interceptors, so every DispatchQueue.concurrentPerform join looked like a data race
// (the Python threads test under TSan); there the toolchain's shared runtime is used instead.
// (_FoundationCollections and _FoundationCShims are not pulled in by autolinking when the runtime
// is linked statically.)
let swiftRuntime: [String] = sanitizerBuild ? [] : ["-static-stdlib", "-l_FoundationCollections", "-l_FoundationCShims"]

let package = Package(
    name: "lmcore",
    products: [
        // The C ABI: liblmcore.so, self-contained (Swift runtime linked statically), exporting
        // only lmcore_* symbols (see Sources/LMCoreC/exports.map).
        .library(name: "lmcore", type: .dynamic, targets: ["LMCoreC"]),
        .library(name: "LMCore", targets: ["LMCore"]),
        .executable(name: "lmcore-cli", targets: ["lmcore-cli"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The HTTP server (lmcore-cli serve) only: liblmcore.so does not link it.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // The public C header as a module, so the C ABI layer is checked against it.
        .systemLibrary(name: "CLMCore", path: "include"),
        // OpenBLAS is opened at run time (LMTensor/BLAS.swift explains why); this module only
        // declares the ABI it resolves, so nothing links -lopenblas.
        .systemLibrary(name: "COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "COniguruma", pkgConfig: "oniguruma",
                       providers: [.apt(["libonig-dev", "pkg-config"])]),

        // Reading untrusted input: the one strict JSON reader and the error kinds every reader
        // reports. A leaf on the standard library and Foundation only.
        .target(name: "LMInput"),
        // lmcore's own C kernels (packed GEMM), each function compiled for the instruction set it
        // names and chosen at run time from cpuid (Sources/CKernels/include/lmkernels.h).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "LMTensor", dependencies: ["COpenBLAS", "CKernels"], swiftSettings: cpuFlags),
        .target(name: "LMTokenizer", dependencies: ["LMInput", "COniguruma"], swiftSettings: cpuFlags),
        .target(name: "LMModel", dependencies: ["LMInput", "LMTensor"], swiftSettings: cpuFlags),
        .target(name: "LMGeneration", dependencies: ["LMInput", "LMTensor"], swiftSettings: cpuFlags),
        .target(name: "LMCore", dependencies: ["LMInput", "LMTensor", "LMTokenizer", "LMModel", "LMGeneration"],
                swiftSettings: cpuFlags),
        // Evaluation metrics (sacrebleu's BLEU/chrF/TER, rouge-score's ROUGE): a leaf on the
        // standard library and libc only, beside the pipeline rather than in it.
        .target(name: "LMEvaluation"),
        .target(
            name: "LMCoreC",
            dependencies: ["LMCore", "LMEvaluation", "CLMCore"],
            exclude: ["exports.map"],
            swiftSettings: cpuFlags,
            linkerSettings: [
                .unsafeFlags(swiftRuntime + [
                    "-use-ld=lld", "-Xlinker", "--gc-sections",
                    "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/LMCoreC/exports.map",
                    "-Xlinker", "-soname=liblmcore.so.0",
                ] + noUndefinedSymbols + [
                    "-Xlinker", "-rpath=$ORIGIN",
                ]),
            ]),
        // The HTTP server: LibreTranslate-compatible and native JSON APIs over one shared Model,
        // with dynamic batching, backpressure and Prometheus metrics (lmcore-cli serve).
        .target(
            name: "LMServer",
            dependencies: ["LMCore", "LMInput", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            swiftSettings: cpuFlags),
        .executableTarget(
            name: "lmcore-cli",
            dependencies: ["LMCore", "LMEvaluation", "LMServer",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: cpuFlags),

        .testTarget(name: "LMInputTests", dependencies: ["LMInput"]),
        .testTarget(name: "LMTensorTests", dependencies: ["LMTensor"]),
        .testTarget(name: "LMTokenizerTests", dependencies: ["LMInput", "LMTokenizer"]),
        .testTarget(name: "LMModelTests", dependencies: ["LMInput", "LMTensor", "LMModel"]),
        .testTarget(name: "LMGenerationTests", dependencies: ["LMInput", "LMTensor", "LMGeneration"]),
        .testTarget(name: "LMCoreTests", dependencies: ["LMCore", "LMGeneration"]),
        .testTarget(name: "LMEvaluationTests", dependencies: ["LMEvaluation"]),
    ]
)
