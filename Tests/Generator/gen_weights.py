#!/usr/bin/env python3
"""Generates the checkpoint fixtures of the LMModel weight-loading tests (Tests/Fixtures/weights).

Every file is written by the reference libraries themselves: safetensors files by
`safetensors.torch.save_file` or transformers' `save_pretrained`, PyTorch checkpoints by `torch.save`
(zip and legacy formats), so the tests check lmcore's readers against real output. Golden values are
stored beside them as JSON (float32 values, exact). Malicious pickles are built here too: loading them
with `pickle` would run a command; lmcore must refuse them without running anything.

Run with the pinned reference venv:  /opt/lmcore-ref/bin/python Tests/Generator/gen_weights.py
Only the numpy fixtures (npz/), leaving every other file as it is:  ... gen_weights.py npz
"""
import collections
import io
import json
import os
import pickle
import shutil
import sys
import zipfile
from pathlib import Path

import safetensors
import torch
import transformers
from safetensors.torch import save_file

OUT = Path(__file__).resolve().parent.parent / "Fixtures" / "weights"
# The file the malicious fixtures would create if anything ran them; the tests check it never appears.
MARKER = "/tmp/lmcore-weights-malicious-marker"


def versions():
    return {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "safetensors": safetensors.__version__,
        "generator": "Tests/Generator/gen_weights.py",
    }


def expected(tensors):
    """Golden description: dtype, shape and, for float dtypes, the float32 values row-major as their bit
    patterns (exact, and JSON has no inf or nan)."""
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
             torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8", torch.bool: "BOOL"}
    out = {}
    for key, t in tensors.items():
        entry = {"dtype": names[t.dtype], "shape": list(t.shape)}
        if t.dtype in (torch.float32, torch.float16, torch.bfloat16):
            flat = t.detach().float().contiguous().reshape(-1)
            entry["bits"] = flat.view(torch.int32).tolist()
            entry["bits"] = [b & 0xFFFFFFFF for b in entry["bits"]]
        out[key] = entry
    return out


def write_json(path, value):
    # One tensor per line: readable in a diff, compact on disk.
    lines = [f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in sorted(value["tensors"].items())] \
        if "tensors" in value else None
    if lines is None:
        path.write_text(json.dumps(value, indent=1, sort_keys=True) + "\n")
        return
    head = json.dumps({k: v for k, v in value.items() if k != "tensors"}, sort_keys=True)
    path.write_text("{\"meta\": " + head + ",\n \"tensors\": {\n" + ",\n".join(lines) + "\n }\n}\n")


def special_values():
    # Values that exercise F16/BF16 rounding and range: ties, subnormals, overflow, signed zero, inf.
    return torch.tensor([0.0, -0.0, 1.0, -2.5, 0.1, 1 + 2**-11, 1 + 3 * 2**-11, 2049.0, 65504.0, 65520.0,
                         1e-8, 6e-8, 3e-5, -1e5, float("inf"), float("-inf"), 3.0e38, 1.17549435e-38],
                        dtype=torch.float32)


def gen_dtypes():
    g = torch.Generator().manual_seed(1)
    base = torch.randn(3, 5, generator=g)
    tensors = {
        "f32": base,
        "f16": base.half(),
        "bf16": base.bfloat16(),
        "f16_special": special_values().half(),
        "bf16_special": special_values().bfloat16(),
        "f32_special": special_values(),
        "f64": base.double(),
        "i64": torch.arange(6, dtype=torch.int64).reshape(2, 3),
        "scalar": torch.tensor(1.5),
        "empty": torch.zeros(0, 4),
        "odd_f16": torch.randn(13, generator=g).half(),  # odd length: the tail after 8-wide SIMD groups
    }
    save_file(tensors, OUT / "dtypes.safetensors", metadata={"format": "pt"})
    write_json(OUT / "dtypes.expected.json", {"versions": versions(), "tensors": expected(tensors)})


def gen_writer_reference():
    """Files save_file writes for known F32 tensors, and their .half(): the Swift writer must match bytes."""
    g = torch.Generator().manual_seed(2)
    tensors = {
        "layer.weight": torch.randn(4, 3, generator=g),
        "layer.bias": torch.randn(4, generator=g),
        "special": special_values(),
        "scalar": torch.tensor(-3.25),
        "empty": torch.zeros(2, 0),
        "name with \"quotes\"\n": torch.ones(2),
    }
    save_file(tensors, OUT / "writer-f32.safetensors", metadata={"format": "pt"})
    save_file({k: v.half() for k, v in tensors.items()}, OUT / "writer-f16.safetensors", metadata={"format": "pt"})


def gen_conformance():
    """Small safetensors files, valid and malformed, with what the reference library (safe_open) says
    about each: lmcore must accept exactly the files the reference accepts (duplicate names excepted: the
    reference keeps the last, lmcore rejects them), and read the same names and shapes."""
    import struct
    from safetensors import safe_open

    def entry(dtype, shape, begin, end):
        return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}

    def st(header, data=b"", declared=None):
        h = header if isinstance(header, bytes) else (
            header.encode() if isinstance(header, str) else json.dumps(header).encode())
        return struct.pack("<Q", len(h) if declared is None else declared) + h + data

    f32 = lambda n: b"\x00\x00\x80\x3f" * n  # 1.0f
    cases = {
        # Accepted by the reference.
        "empty-object": st("{}"),
        "whitespace-around": st("  {}    "),
        "metadata-null": st('{"__metadata__":null,"a":' + json.dumps(entry("F32", [2], 0, 8)) + "}", f32(2)),
        "metadata-strings": st({"__metadata__": {"format": "pt", "x": ""}, "a": entry("F32", [1], 0, 4)}, f32(1)),
        "extra-entry-field": st('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":[1,{}]}}', f32(2)),
        "offsets-out-of-name-order": st({"b": entry("F32", [1], 0, 4), "a": entry("F32", [1], 4, 8)}, f32(2)),
        "zero-size-tensors": st({"a": entry("F32", [0], 0, 0), "b": entry("F16", [3, 0], 0, 0),
                                 "c": entry("F32", [1], 0, 4)}, f32(1)),
        "scalar": st({"s": entry("BF16", [], 0, 2)}, b"\x80\x3f"),
        "every-dtype": st({"bool": entry("BOOL", [2], 0, 2), "u8": entry("U8", [2], 2, 4),
                           "f8": entry("F8_E4M3", [2], 4, 6), "f4": entry("F4", [4], 6, 8),
                           "i64": entry("I64", [1], 8, 16), "c64": entry("C64", [1], 16, 24)}, bytes(24)),
        "unicode-and-escaped-names": st('{"\\u00e9\\ud83d\\ude00\\n\\"q\\"":' + json.dumps(entry("F32", [1], 0, 4))
                                        + ',"日本":' + json.dumps(entry("F32", [1], 4, 8)) + "}", f32(2)),
        # Rejected by the reference.
        "too-small": b"\x01\x00\x00",
        "header-over-cap": st("{}", declared=100_000_001),
        "header-past-eof": st("{}", declared=64),
        "empty-header": st(""),
        "not-json": st("{abc}"),
        "array-header": st("[1,2]"),
        "nul-padding": st("{}\x00\x00"),
        "trailing-garbage": st("{} x"),
        "invalid-utf8": st(b'{"\xff\xfe":' + json.dumps(entry("F32", [1], 0, 4)).encode() + b"}", f32(1)),
        "unknown-dtype": st({"a": entry("F17", [2], 0, 8)}, f32(2)),
        "missing-dtype": st({"a": {"shape": [2], "data_offsets": [0, 8]}}, f32(2)),
        "missing-offsets": st({"a": {"dtype": "F32", "shape": [2]}}, f32(2)),
        "negative-dim": st('{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', f32(2)),
        "float-dim": st('{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}', f32(2)),
        "exponent-dim": st('{"a":{"dtype":"F32","shape":[2e0],"data_offsets":[0,8]}}', f32(2)),
        "dim-u64-max": st('{"a":{"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,0]}}'),
        "three-offsets": st('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}', f32(2)),
        "shape-overflow": st({"a": entry("F32", [4294967296, 4294967296], 0, 8)}, f32(2)),
        "bytes-overflow": st({"a": entry("F64", [2305843009213693952], 0, 8)}, f32(2)),
        "size-mismatch": st({"a": entry("F32", [3], 0, 8)}, f32(2)),
        "subbyte-misaligned": st({"a": entry("F4", [3], 0, 2)}, bytes(2)),
        "overlap": st({"a": entry("F32", [2], 0, 8), "b": entry("F32", [2], 4, 12)}, f32(3)),
        "hole": st({"a": entry("F32", [1], 0, 4), "b": entry("F32", [1], 8, 12)}, f32(3)),
        "not-at-zero": st({"a": entry("F32", [1], 4, 8)}, f32(2)),
        "end-before-begin": st({"a": entry("F32", [2], 0, 8), "b": entry("F32", [0], 8, 4)}, f32(2)),
        "past-data": st({"a": entry("F32", [4], 0, 16)}, f32(2)),
        "trailing-data": st({"a": entry("F32", [1], 0, 4)}, f32(2)),
        "duplicate-field": st('{"a":{"dtype":"F32","dtype":"F16","shape":[2],"data_offsets":[0,8]}}', f32(2)),
        "metadata-number": st({"__metadata__": {"a": 1}}),
        # Duplicate names: the reference keeps the last entry (and rejects this one only because the kept
        # entry's offsets then leave a hole); lmcore rejects duplicates outright.
        "duplicate-name-consistent": st('{"a":' + json.dumps(entry("F32", [1], 0, 4)) + ',"a":'
                                        + json.dumps(entry("F32", [1], 0, 4)) + "}", f32(1)),
        "duplicate-name": st('{"a":' + json.dumps(entry("F32", [1], 0, 4)) + ',"a":'
                             + json.dumps(entry("F32", [1], 4, 8)) + "}", f32(2)),
    }
    folder = OUT / "conformance"
    folder.mkdir()
    verdicts = {}
    for name, data in cases.items():
        path = folder / f"{name}.safetensors"
        path.write_bytes(data)
        try:
            with safe_open(path, "pt") as f:
                tensors = {k: list(f.get_slice(k).get_shape()) for k in f.keys()}
            verdict = {"accepted": True, "tensors": tensors}
        except Exception as e:  # the reference's own error, recorded for the reader of the fixture
            verdict = {"accepted": False, "error": str(e)}
        verdict["lmcore_rejects_duplicates"] = name.startswith("duplicate-name")
        verdicts[name] = verdict
    write_json(OUT / "conformance.expected.json", {"versions": versions(), "tensors": verdicts})


class Evil:
    """Pickles as a call of os.system (posix.system on Linux): running the pickle creates MARKER."""

    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


class EvilEval:
    def __reduce__(self):
        return (eval, (f"open({MARKER!r}, 'w').close()",))


def torch_tensors():
    g = torch.Generator().manual_seed(3)
    big = torch.randn(6, 4, generator=g)
    shared = torch.randn(5, 3, generator=g)
    state = collections.OrderedDict()
    state["plain"] = torch.randn(2, 3, generator=g)
    state["half"] = torch.randn(7, generator=g).half()
    state["bfloat"] = torch.randn(3, 3, generator=g).bfloat16()
    state["long"] = torch.arange(5, dtype=torch.int64)
    state["transposed"] = big.t()                 # non-contiguous: strides (1, 4)
    state["sliced"] = big[2:5]                    # storage offset 8 into the same storage
    state["column"] = big[:, 1]                   # strided 1-D view
    state["shared_a"] = shared
    state["shared_b"] = shared                    # the same storage written once
    state["scalar"] = torch.tensor(0.75)
    state["empty"] = torch.zeros(0, 3)
    state["param"] = torch.nn.Parameter(torch.randn(2, 2, generator=g))
    return state


def gen_torch():
    d = OUT / "torch"
    d.mkdir(exist_ok=True)
    state = torch_tensors()
    torch.save(state, d / "tensors.bin")
    torch.save(state, d / "tensors-legacy.bin", _use_new_zipfile_serialization=False)
    # Newer pickle protocols (FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL...), as torch.save(pickle_protocol=5).
    torch.save(state, d / "tensors-protocol5.bin", pickle_protocol=5)
    write_json(d / "tensors.expected.json", {"versions": versions(), "tensors": expected(state)})

    # Tensors below the top level (a checkpoint with extras): only the top-level tensors are weights, but
    # the legacy reader must still step over the nested tensors' storage records.
    g = torch.Generator().manual_seed(5)
    nested = collections.OrderedDict([("w", torch.randn(3, generator=g)),
                                       ("extra", {"x": torch.randn(4, generator=g).double(), "step": 3}),
                                       ("v", torch.randn(2, generator=g))])
    torch.save(nested, d / "nested.bin")
    torch.save(nested, d / "nested-legacy.bin", _use_new_zipfile_serialization=False)
    write_json(d / "nested.expected.json", {"versions": versions(),
                                            "tensors": expected({k: nested[k] for k in ("w", "v")})})

    # Refused without running: zip and legacy format, os.system and eval.
    evil = collections.OrderedDict([("evil", Evil()), ("plain", torch.ones(2))])
    torch.save(evil, d / "malicious-system.bin")
    torch.save(evil, d / "malicious-system-legacy.bin", _use_new_zipfile_serialization=False)
    torch.save(collections.OrderedDict([("plain", torch.ones(2)), ("evil", EvilEval())]), d / "malicious-eval.bin")
    # A bare pickle (what `pickle.dump` writes): still a pickle stream, still refused.
    (d / "malicious-raw.pkl").write_bytes(pickle.dumps(Evil(), protocol=2))

    # The same archive with deflated entries (torch never writes these; zip tools do).
    with zipfile.ZipFile(d / "tensors.bin") as src, \
            zipfile.ZipFile(d / "compressed.bin", "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # fixed timestamps: the same input gives the same bytes
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            dst.writestr(entry, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)


def save_bin_shards(state, folder, shard_count):
    """Shards a state dict the way transformers 4.x save_pretrained(safe_serialization=False) did."""
    keys = list(state.keys())
    per = (len(keys) + shard_count - 1) // shard_count
    weight_map = {}
    total = 0
    for i in range(shard_count):
        name = f"pytorch_model-{i + 1:05d}-of-{shard_count:05d}.bin"
        part = collections.OrderedDict((k, state[k]) for k in keys[i * per:(i + 1) * per])
        torch.save(part, folder / name)
        for k, v in part.items():
            weight_map[k] = name
            total += v.numel() * v.element_size()
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (folder / "pytorch_model.bin.index.json").write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")


def gen_marian():
    from transformers import MarianConfig, MarianMTModel
    torch.manual_seed(4)
    config = MarianConfig(vocab_size=96, d_model=16, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
                          decoder_ffn_dim=32, max_position_embeddings=32, pad_token_id=95,
                          decoder_start_token_id=95, eos_token_id=0)
    model = MarianMTModel(config).eval()
    state = model.state_dict()

    st = OUT / "marian-safetensors"
    model.save_pretrained(st)
    # transformers 5 writes only safetensors; a .bin is what torch.save(state_dict) wrote in 4.x
    # (save_pretrained(safe_serialization=False)): every key, tied ones included.
    binary = OUT / "marian-bin"
    binary.mkdir(exist_ok=True)
    shutil.copy(st / "config.json", binary / "config.json")
    torch.save(state, binary / "pytorch_model.bin")

    sharded = OUT / "marian-sharded-safetensors"
    model.save_pretrained(sharded, max_shard_size="20KB")
    sharded_bin = OUT / "marian-sharded-bin"
    sharded_bin.mkdir(exist_ok=True)
    shutil.copy(st / "config.json", sharded_bin / "config.json")
    save_bin_shards(state, sharded_bin, 3)

    summary = {}
    for key, t in state.items():
        flat = t.detach().float().reshape(-1)
        summary[key] = {"shape": list(t.shape), "sum": float(flat.double().sum()),
                        "first": [float(v) for v in flat[:4].tolist()]}
    write_json(OUT / "marian.expected.json", {"versions": versions(), "tensors": summary})

# ---------------------------------------------------------------------------------------------------
# numpy .npz archives (numpy.savez / numpy.savez_compressed) and the raw deflate streams under them.

def npz_versions():
    import numpy as np
    import zlib
    return {**versions(), "numpy": np.__version__, "zlib": zlib.ZLIB_RUNTIME_VERSION}


def lcg(seed):
    """The 64-bit LCG (Knuth's MMIX constants) the Swift tests replay to rebuild the deflate inputs."""
    x = seed
    while True:
        x = (x * 6364136223846793005 + 1442695040888963407) % 2**64
        yield x


WORDS = [b"the", b"model", b"weights", b"of", b"a", b"small", b"encoder", b"decoder", b"numpy", b"archive",
         b"with", b"deflate", b"blocks", b"and", b"tensors", b"zip"]


def lcg_bytes(kind, seed, length):
    """'random': the top byte of each LCG state; 'text': LCG-chosen words, each followed by a space."""
    g = lcg(seed)
    out = bytearray()
    if kind == "random":
        for _ in range(length):
            out.append(next(g) >> 56)
    else:
        while len(out) < length:
            out += WORDS[(next(g) >> 33) % len(WORDS)] + b" "
    return bytes(out[:length])


class BitWriter:
    """Deflate's bit order: fields least significant bit first, Huffman codes most significant first."""

    def __init__(self):
        self.bits = []

    def field(self, value, n):
        self.bits += [(value >> i) & 1 for i in range(n)]

    def code(self, code, n):
        self.bits += [(code >> (n - 1 - i)) & 1 for i in range(n)]

    def bytes(self):
        padded = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(sum(b << i for i, b in enumerate(padded[k:k + 8])) for k in range(0, len(padded), 8))


def canonical(lengths):
    """RFC 1951 3.2.2: symbol -> (code, length) for the nonzero lengths."""
    counts = collections.Counter(l for l in lengths if l)
    code, first = 0, {}
    for n in range(1, 16):
        code = (code + counts.get(n - 1, 0)) << 1
        first[n] = code
    out = {}
    for s, n in enumerate(lengths):
        if n:
            out[s] = (first[n], n)
            first[n] += 1
    return out


def make_zip(entries):
    """A zip of (name, data, method, crc, uncompressed size) written field by field, so that the
    malformed fixtures can say whatever they like about their entries."""
    import struct
    out, central = b"", b""
    for name, data, method, crc, size in entries:
        offset = len(out)
        n = name.encode()
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(n), 0)
        out += n + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), size,
                               len(n), 0, 0, 0, 0, 0, offset) + n
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return out + central + end


def npy_bytes(header, data=b"", version=(1, 0)):
    """A .npy file with a header literal of our choosing, padded as numpy pads it."""
    import struct
    h = header.encode("latin1")
    prefix = 10 if version[0] == 1 else 12
    pad = -(prefix + len(h) + 1) % 64
    h = h + b" " * pad + b"\n"
    length = struct.pack("<H", len(h)) if version[0] == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes(version) + length + h + data


def gen_npz():
    import numpy as np
    import time
    import zlib

    d = OUT / "npz"
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    # zipfile stamps entries with the current time: fix it, so the same arrays give the same bytes.
    real_localtime = time.localtime
    time.localtime = lambda *args: time.struct_time((1980, 1, 1, 0, 0, 0, 1, 1, -1))
    try:
        with np.errstate(over="ignore"):  # the special values overflow float16/float32 on purpose
            write_npz_arrays(d, np)
        write_npz_malformed(d, np, zlib)
    finally:
        time.localtime = real_localtime
    write_deflate_streams(d / "deflate", zlib)


def write_npz_arrays(d, np):
    rng = np.random.default_rng(7)
    f64_special = np.array([0.1, 1 / 3, 1 + 2**-24, 1 + 3 * 2**-24, -(1 + 2**-24), 3.4028235677973366e38,
                            3.5e38, 1e-46, 1.4e-45, 1e300, -1e300, float("nan"), float("inf"), -0.0, 5e-324,
                            2.0**-149 * 1.5, 65504.0], dtype=np.float64)
    arrays = {
        "encoder.rnn.weight_ih_l0": rng.standard_normal((8, 4)).astype(np.float32),
        "encoder.rnn.bias_ih_l0": rng.standard_normal(8).astype(np.float32),
        "decoder.out.weight": rng.standard_normal((3, 5)).astype(np.float16),
        "decoder.special_f16": special_values().numpy().astype(np.float16),
        "decoder.attention.v": rng.standard_normal((2, 3, 2)),  # float64
        "f64_special": f64_special,
        "odd_f64": rng.standard_normal(13),                      # a tail after the 8-wide SIMD groups
        "scalar": np.array(-0.3),                                # float64, shape ()
        "scalar_f32": np.array(1.5, dtype=np.float32),
        "empty": np.zeros((0, 4), dtype=np.float32),
        "ids": np.arange(6, dtype=np.int64).reshape(2, 3),
        "long.run": np.tile(np.arange(16, dtype=np.float32), 24),  # repetitive: matches in the deflate stream
    }
    np.savez(d / "arrays.npz", **arrays)
    np.savez_compressed(d / "arrays-compressed.npz", **arrays)
    (d / "folder").mkdir()
    shutil.copy(d / "arrays-compressed.npz", d / "folder" / "model.npz")
    names = {np.float32: "F32", np.float16: "F16", np.float64: "F64", np.int64: "I64"}
    golden = {}
    for key, a in arrays.items():
        entry = {"dtype": names[a.dtype.type], "shape": list(a.shape)}
        if a.dtype.kind == "f":
            # What np.load(...).astype(np.float32) gives, as bit patterns (exact; JSON has no nan or inf).
            entry["bits"] = [int(b) for b in a.astype(np.float32).reshape(-1).view(np.uint32)]
        golden[key] = entry
    loaded = np.load(d / "arrays-compressed.npz")
    assert sorted(loaded.files) == sorted(arrays), loaded.files
    write_json(d / "arrays.expected.json", {"versions": npz_versions(), "tensors": golden})


def write_npz_malformed(d, np, zlib):
    m = d / "malformed"
    m.mkdir()
    f32 = np.arange(6, dtype=np.float32).tobytes()
    good = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f32)

    def stored(name, npy):
        return (name, npy, 0, zlib.crc32(npy), len(npy))

    def deflated(name, stream, output, size=None, crc=None):
        return (name, stream, 8, zlib.crc32(output) if crc is None else crc, len(output) if size is None else size)

    def raw_deflate(data, level=9):
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush()

    with open(d / "arrays.npz", "rb") as f:
        whole = f.read()
    files = {"truncated": whole[:len(whole) // 2]}
    np.savez(m / "fortran-order.npz", w=np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    np.savez(m / "big-endian.npz", w=np.arange(3, dtype=">f4"))
    np.savez(m / "object-array.npz", w=np.array([{"a": 1}, None], dtype=object))
    headers = {
        "bad-magic": b"\x93NUMPZ" + good[6:],
        "bad-version": b"\x93NUMPY\x04\x00" + good[8:],
        "bad-header-syntax": npy_bytes("{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3), }", f32),
        "bad-header-keys": npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': False}", f32),
        "bad-header-negative": npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", f32),
        "bad-header-not-tuple": npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (6), }", f32),
        "bad-header-trailing": npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } x", f32),
        "size-mismatch": npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f32[:20]),
        "shape-overflow": npy_bytes("{'descr': '<f8', 'fortran_order': False, "
                                    "'shape': (4294967296, 4294967296), }", f32),
        "version-2": npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f32, (2, 0)),
        "version-3": npy_bytes("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3,)}", f32, (3, 0)),
    }
    for name, npy in headers.items():
        files[name] = make_zip([stored("w.npy", npy)])

    # Deflate streams made by hand (BitWriter), each checked to be refused by zlib as well.
    def fixed_match_first():
        w = BitWriter()
        w.field(1, 1); w.field(1, 2)          # final, fixed Huffman
        w.code(1, 7)                          # length symbol 257 (length 3)
        w.code(0, 5)                          # distance symbol 0 (distance 1): nothing written yet
        w.code(0, 7)                          # end of block
        return w.bytes()

    def oversubscribed_code_lengths():
        w = BitWriter()
        w.field(1, 1); w.field(2, 2)          # final, dynamic
        w.field(0, 5); w.field(0, 5); w.field(15, 4)
        for _ in range(19):
            w.field(1, 3)                     # nineteen 1-bit codes
        return w.bytes() + bytes(8)

    def incomplete_literal_code():
        # Code-length code: 18 -> "0", 0 -> "10", 2 -> "11" (complete); literal/length code: symbols 0 and
        # 256 of two bits each, which leaves half the patterns unused (incomplete, and not one 1-bit code).
        order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        clen = [0] * 19
        clen[18], clen[0], clen[2] = 1, 2, 2
        codes = canonical(clen)
        w = BitWriter()
        w.field(1, 1); w.field(2, 2)
        w.field(0, 5); w.field(0, 5); w.field(16 - 4, 4)
        for s in order[:16]:
            w.field(clen[s], 3)
        w.code(*codes[2])                                 # literal 0: length 2
        w.code(*codes[18]); w.field(138 - 11, 7)          # 138 zeros
        w.code(*codes[18]); w.field(117 - 11, 7)          # 117 zeros (literals 1..255)
        w.code(*codes[2])                                 # end of block: length 2
        w.code(*codes[0])                                 # the one distance code: unused
        w.code(0, 2)                                      # a would-be literal
        return w.bytes()

    def stored_length_mismatch():
        return bytes([0x01, 0x05, 0x00, 0x00, 0x00]) + b"hello"

    def reserved_block_type():
        return bytes([0x07, 0x00, 0x00])

    valid = raw_deflate(good)
    streams = {
        "deflate-reserved-type": (reserved_block_type(), good),
        "deflate-distance-too-far": (fixed_match_first(), good),
        "deflate-oversubscribed": (oversubscribed_code_lengths(), good),
        "deflate-incomplete": (incomplete_literal_code(), good),
        "deflate-stored-length": (stored_length_mismatch(), good),
        "deflate-truncated": (valid[:len(valid) // 2], good),
    }
    verdicts = {}
    for name, (stream, output) in streams.items():
        try:
            out = zlib.decompressobj(-15)
            result = out.decompress(stream)
            verdicts[name] = "zlib: " + ("incomplete stream" if not out.eof else f"accepted {len(result)} bytes")
        except zlib.error as e:
            verdicts[name] = f"zlib: {e}"
        assert not verdicts[name].startswith("zlib: accepted"), (name, verdicts[name])
        files[name] = make_zip([deflated("w.npy", stream, output)])
    files["crc-mismatch"] = make_zip([deflated("w.npy", valid, good, crc=zlib.crc32(good) ^ 1)])
    files["size-smaller"] = make_zip([deflated("w.npy", valid, good, size=len(good) - 16)])
    files["size-larger"] = make_zip([deflated("w.npy", valid, good, size=len(good) + 16)])
    files["size-impossible"] = make_zip([deflated("w.npy", valid, good, size=10**9)])
    files["method-bzip2"] = make_zip([("w.npy", valid, 12, zlib.crc32(good), len(good))])
    # Deflated entries that are fine (a control for the malformed ones above), and a non-array entry.
    files["valid-deflated"] = make_zip([deflated("w.npy", valid, good), stored("notes.txt", b"not an array")])
    for name, data in files.items():
        (m / f"{name}.npz").write_bytes(data)
    write_json(m / "zlib-verdicts.json", {"versions": npz_versions(), "tensors": verdicts})


def part_json(part):
    kind, seed, length = part
    return {"kind": kind, "seed": seed, "length": length}


def write_deflate_streams(d, zlib):
    """Raw deflate streams by zlib (levels 0, 1, 9) over LCG bytes, and one stream with a stored, a fixed
    and a dynamic block; the expected JSON says how to rebuild each input, its length and zlib's CRC-32."""
    d.mkdir()
    cases = {
        "random-l0": (0, [("random", 11, 3000)]),
        "random-l1": (1, [("random", 12, 3000)]),
        "random-l9": (9, [("random", 13, 3000)]),
        "text-l0": (0, [("text", 14, 2000)]),
        "text-l1": (1, [("text", 15, 33000)]),   # past the 32 KB window
        "text-l9": (9, [("text", 16, 33000)]),
    }
    expected = {}
    for name, (level, parts) in cases.items():
        data = b"".join(lcg_bytes(*p) for p in parts)
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
        stream = c.compress(data) + c.flush()
        (d / f"{name}.deflate").write_bytes(stream)
        expected[name] = {"parts": [part_json(p) for p in parts], "length": len(data),
                          "crc32": zlib.crc32(data), "level": level}
    # Stored, then fixed, then dynamic: three compressors, each flushed with Z_FULL_FLUSH (byte-aligned, no
    # references across the flush) and the last finished, concatenate into one valid stream.
    parts = [("random", 21, 1000), ("text", 22, 2000), ("text", 23, 4000)]
    segments = []
    for (level, strategy), part, flush in zip([(0, zlib.Z_DEFAULT_STRATEGY), (6, zlib.Z_FIXED),
                                               (9, zlib.Z_DEFAULT_STRATEGY)], parts,
                                              [zlib.Z_FULL_FLUSH, zlib.Z_FULL_FLUSH, zlib.Z_FINISH]):
        c = zlib.compressobj(level, zlib.DEFLATED, -15, 8, strategy)
        segments.append(c.compress(lcg_bytes(*part)) + c.flush(flush))
    # First block header of each segment: BFINAL + BTYPE << 1 = stored (0), fixed (2), final dynamic (5).
    assert [segments[0][0] & 7, segments[1][0] & 7, segments[2][0] & 7] == [0, 2, 5], [s[0] & 7 for s in segments]
    stream = b"".join(segments)
    data = b"".join(lcg_bytes(*p) for p in parts)
    assert zlib.decompress(stream, -15) == data
    (d / "mixed.deflate").write_bytes(stream)
    expected["mixed"] = {"parts": [part_json(p) for p in parts], "length": len(data), "crc32": zlib.crc32(data),
                         "blocks": ["stored", "fixed", "dynamic"]}
    write_json(d / "deflate.expected.json", {"versions": npz_versions(), "tensors": expected})



def main():
    sections = sys.argv[1:]
    if sections:
        if sections != ["npz"]:
            sys.exit("usage: gen_weights.py [npz]  (only the npz section can be regenerated alone)")
        gen_npz()
        print(f"wrote {OUT / 'npz'}")
        return
    # Start clean, keeping the hand-written README.
    OUT.mkdir(parents=True, exist_ok=True)
    for item in OUT.iterdir():
        if item.name == "README.md":
            continue
        shutil.rmtree(item) if item.is_dir() else item.unlink()
    gen_dtypes()
    gen_writer_reference()
    gen_conformance()
    gen_torch()
    gen_marian()
    gen_npz()
    write_json(OUT / "VERSIONS.json", versions())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
