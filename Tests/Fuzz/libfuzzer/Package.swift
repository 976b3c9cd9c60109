// swift-tools-version:6.1
// Coverage-guided fuzzing of lmcore's input surfaces with libFuzzer: one executable, one harness
// per surface chosen by LMCORE_FUZZ_TARGET. Built only by Tests/Fuzz/libfuzzer.sh with
// `swift build --sanitize=fuzzer --sanitize=address` (as swift-protobuf's FuzzTesting builds), in
// its own scratch folder (.build-fuzz), so the main build never sees it.
import PackageDescription

let package = Package(
    name: "lmcore-fuzz",
    dependencies: [.package(name: "lmcore", path: "../../..")],
    targets: [
        .executableTarget(name: "lmcore-fuzz", dependencies: [.product(name: "LMCore", package: "lmcore")]),
    ]
)
