// swift-tools-version:6.1
// Coverage-guided fuzzing of lmcore's input surfaces with libFuzzer: one executable, one harness
// per surface chosen by LMCORE_FUZZ_TARGET, plus lmcore-fuzz-capi for C-ABI call sequences.
// Built only by Tests/Fuzz/libfuzzer.sh with
// `swift build --sanitize=fuzzer --sanitize=address` (as swift-protobuf's FuzzTesting builds), in
// its own scratch folder (.build-fuzz), so the main build never sees it.
import PackageDescription

let package = Package(
    name: "lmcore-fuzz",
    dependencies: [.package(name: "lmcore", path: "../../..")],
    targets: [
        .executableTarget(name: "lmcore-fuzz", dependencies: [.product(name: "LMCore", package: "lmcore")]),
        // C-ABI call sequences: a C harness (lmcore.h is a link to the repository's header) against
        // liblmcore.so built instrumented in the same scratch folder.
        .target(name: "CAPISequence"),
        .executableTarget(name: "lmcore-fuzz-capi",
                          dependencies: ["CAPISequence", .product(name: "lmcore", package: "lmcore")]),
    ]
)
