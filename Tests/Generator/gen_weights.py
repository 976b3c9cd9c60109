#!/usr/bin/env python3
"""Generates the checkpoint fixtures of the LMModel weight-loading tests (Tests/Fixtures/weights).

Every file is written by the reference libraries themselves: safetensors files by
`safetensors.torch.save_file` or transformers' `save_pretrained`, PyTorch checkpoints by `torch.save`
(zip and legacy formats), so the tests check lmcore's readers against real output. Golden values are
stored beside them as JSON (float32 values, exact). Malicious pickles are built here too: loading them
with `pickle` would run a command; lmcore must refuse them without running anything.

Run with the pinned reference venv:  /opt/lmcore-ref/bin/python Tests/Generator/gen_weights.py
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


def main():
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
    write_json(OUT / "VERSIONS.json", versions())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
