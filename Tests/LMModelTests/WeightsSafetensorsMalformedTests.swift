import Foundation
import LMModel
import LMTensor
import Testing

/// Malformed safetensors files: each must fail with a format error that names the file and says what
/// is wrong (and the tensor, when one is at fault), never crash.
@Suite struct WeightsSafetensorsMalformedTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        /// Text the error message must contain (besides the file path).
        let message: String
        var testDescription: String { name }
    }

    static let f32x2 = float32Bytes([1, 2])

    static let cases: [Case] = [
        Case(name: "empty file", bytes: [], message: "0 bytes, too small for the 8-byte header length"),
        Case(name: "shorter than the length field", bytes: [1, 0, 0], message: "too small"),
        Case(name: "header length over the cap", bytes: safetensorsBytes("{}", declaredLength: 100_000_001),
             message: "header length 100000001 exceeds the 100000000-byte limit"),
        Case(name: "header length near 2^64", bytes: safetensorsBytes("{}", declaredLength: UInt64.max - 3),
             message: "exceeds the 100000000-byte limit"),
        Case(name: "header length past EOF", bytes: safetensorsBytes("{}", declaredLength: 64),
             message: "header length 64 goes past the end of the file (10 bytes)"),
        Case(name: "truncated header", bytes: Array(safetensorsBytes(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: f32x2).prefix(30)),
             message: "goes past the end of the file"),
        Case(name: "empty header", bytes: safetensorsBytes(""), message: "not valid JSON: unexpected end of input"),
        Case(name: "header not JSON", bytes: safetensorsBytes("{abc}"), message: "not valid JSON: expected a member name"),
        Case(name: "header is an array", bytes: safetensorsBytes("[1, 2]"), message: "header is an array, expected a JSON object"),
        Case(name: "header is a string", bytes: safetensorsBytes(#""x""#), message: "header is a string, expected a JSON object"),
        Case(name: "trailing garbage after JSON", bytes: safetensorsBytes("{} x"), message: "unexpected data after the JSON value"),
        Case(name: "invalid UTF-8", bytes: safetensorsBytes("{\"\u{FF}\":1}").map { $0 == 0xC3 ? 0xFF : $0 },
             message: "invalid UTF-8"),
        Case(name: "invalid UTF-8 outside strings", bytes: [2, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0xFF],
             message: "not valid JSON: expected a member name at header byte 1"),
        Case(name: "byte 0xFF where a value belongs", bytes: safetensorsBytes("{\"a\":X}").map { $0 == 0x58 ? 0xFF : $0 },
             message: "unexpected byte 0xff at header byte 5"),
        Case(name: "invalid escape", bytes: safetensorsBytes(#"{"a\x":1}"#), message: "invalid escape"),
        Case(name: "deep nesting", bytes: safetensorsBytes(String(repeating: "[", count: 100_000)),
             message: "nesting deeper than 64"),
        Case(name: "entry not an object", bytes: safetensorsBytes(#"{"w":[1]}"#),
             message: "tensor 'w': header entry is an array, expected an object"),
        Case(name: "unknown dtype", bytes: safetensorsBytes(#"{"w":{"dtype":"F17","shape":[2],"data_offsets":[0,8]}}"#, data: f32x2),
             message: "tensor 'w': unknown dtype 'F17'"),
        Case(name: "missing dtype", bytes: safetensorsBytes(#"{"w":{"shape":[2],"data_offsets":[0,8]}}"#, data: f32x2),
             message: "tensor 'w': header entry has no 'dtype'"),
        Case(name: "missing shape", bytes: safetensorsBytes(#"{"w":{"dtype":"F32","data_offsets":[0,8]}}"#, data: f32x2),
             message: "tensor 'w': header entry has no 'shape'"),
        Case(name: "missing offsets", bytes: safetensorsBytes(#"{"w":{"dtype":"F32","shape":[2]}}"#, data: f32x2),
             message: "tensor 'w': header entry has no 'data_offsets'"),
        Case(name: "negative dimension", bytes: safetensorsBytes(#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: f32x2),
             message: "tensor 'w': 'shape' holds -2, expected non-negative integers"),
        Case(name: "fractional dimension", bytes: safetensorsBytes(#"{"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}"#, data: f32x2),
             message: "tensor 'w': 'shape' holds 2.0"),
        Case(name: "dimension beyond 64 bits", bytes: safetensorsBytes(#"{"w":{"dtype":"F32","shape":[18446744073709551617],"data_offsets":[0,8]}}"#, data: f32x2),
             message: "tensor 'w': 'shape' holds 18446744073709551617"),
        Case(name: "three offsets", bytes: safetensorsBytes(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}"#, data: f32x2),
             message: "tensor 'w': 'data_offsets' must be two non-negative integers"),
        Case(name: "shape product overflow", bytes: safetensorsBytes(#"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, data: f32x2),
             message: "tensor 'w': shape [4294967296, 4294967296] of F32 overflows"),
        Case(name: "byte size overflow", bytes: safetensorsBytes(#"{"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}"#, data: f32x2),
             message: "tensor 'w': shape [2305843009213693952] of F64 overflows"),
        Case(name: "byte size differs from shape", bytes: safetensorsBytes(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: f32x2),
             message: "tensor 'w': data_offsets [0, 8] span 8 bytes but shape [3] of F32 needs 12"),
        Case(name: "sub-byte elements not filling bytes", bytes: safetensorsBytes(#"{"w":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}"#, data: [0, 0]),
             message: "tensor 'w': 3 elements of F4 do not fill whole bytes"),
        Case(name: "overlapping offsets",
             bytes: safetensorsBytes(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: float32Bytes([1, 2, 3])),
             message: "tensor 'b': data_offsets [4, 12] overlaps the previous tensor"),
        Case(name: "hole between tensors",
             bytes: safetensorsBytes(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, data: float32Bytes([1, 2, 3])),
             message: "tensor 'b': data_offsets [8, 12] leaves a hole after the previous tensor"),
        Case(name: "first tensor not at zero",
             bytes: safetensorsBytes(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: f32x2),
             message: "tensor 'a': data_offsets [4, 8] leaves a hole"),
        Case(name: "offsets ending before they begin",
             bytes: safetensorsBytes(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, data: f32x2),
             message: "tensor 'b': data_offsets [8, 4] end before they begin"),
        Case(name: "offsets past the data",
             bytes: safetensorsBytes(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: f32x2),
             message: "tensor 'a': data_offsets [0, 16] go past the end of the data (8 bytes)"),
        Case(name: "data beyond the last tensor",
             bytes: safetensorsBytes(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: f32x2),
             message: "tensors cover 4 bytes of data but the file holds 8"),
        Case(name: "duplicate tensor names",
             bytes: safetensorsBytes(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: f32x2),
             message: "duplicate member 'a'"),
        Case(name: "duplicate field inside an entry",
             bytes: safetensorsBytes(#"{"a":{"dtype":"F32","dtype":"F16","shape":[2],"data_offsets":[0,8]}}"#, data: f32x2),
             message: "duplicate member 'dtype'"),
        Case(name: "metadata not a map of strings",
             bytes: safetensorsBytes(#"{"__metadata__":{"format":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: f32x2),
             message: "__metadata__ 'format' is a number, expected a string"),
        Case(name: "control character in a name",
             bytes: safetensorsBytes("{\"a\u{01}\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data: f32x2),
             message: "control character in string"),
        Case(name: "lone surrogate escape",
             bytes: safetensorsBytes(#"{"\ud800":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: f32x2),
             message: "unpaired surrogate"),
    ]

    @Test(arguments: cases)
    func malformedFileIsRejected(_ c: Case) throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let path = try scratch.write("bad.safetensors", c.bytes)
        let error = modelError { _ = try WeightStore.open(files: [path]) }
        #expect(error?.isFormat == true, "\(String(describing: error))")
        let message = error?.description ?? ""
        #expect(message.hasPrefix(path + ": "), "\(message)")
        #expect(message.contains(c.message), "\(message)")
    }

    @Test func escapedNamesAndEmptyTensorsAreValid() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let header = #"{"__metadata__":null,"e\u00e9\ud83d\ude00\n":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
            + #""z":{"dtype":"F16","shape":[0,3],"data_offsets":[8,8]},"s":{"dtype":"BF16","shape":[],"data_offsets":[8,10]}}"#
        let path = try scratch.write("ok.safetensors", safetensorsBytes(header, data: Self.f32x2 + [0x80, 0x3F]))
        let store = try WeightStore.open(files: [path])
        #expect(store.keys == ["eé😀\n", "s", "z"])
        #expect(try store.tensor("eé😀\n").storage == [1, 2])
        #expect(try store.tensor("z", shape: [0, 3]).storage.isEmpty)
        let scalar = try store.tensor("s", shape: [])
        #expect(scalar.storage == [1])
    }

    @Test func headerAtTheSizeCapIsStillParsed() throws {
        // The cap is inclusive, as in the reference: a 100 MB header is allowed (padded with spaces).
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        var bytes = Data(safetensorsBytes("{}", declaredLength: 100_000_000))
        bytes.append(Data(repeating: 0x20, count: 100_000_000 - 2))
        let path = scratch.file("big.safetensors")
        try bytes.write(to: URL(fileURLWithPath: path))
        let store = try WeightStore.open(files: [path])
        #expect(store.keys.isEmpty)
    }
}
