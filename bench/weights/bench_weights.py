#!/usr/bin/env python3
"""Checkpoint load throughput: lmcore's WeightStore vs safetensors.torch.load_file (and torch.load).

Creates (once) ~300 MB checkpoints of a translation model's typical shapes in bench/work/weights —
F32 safetensors, F16 safetensors, F32 pytorch_model.bin — builds a small Swift driver over
Sources/LMModel/Weights, then times loading each file into float tensors, interleaving lmcore and
the Python peer, best of N. The page cache is warm for both (every run reads the same files).

Reported MB/s are file megabytes per second (1 MB = 1e6 bytes). lmcore always returns float32, so for
the F16 file it also converts; the peer's load_file keeps F16 — the table shows the peer with and
without `.float()`.

usage: /opt/lmcore-ref/bin/python bench/weights/bench_weights.py [--rounds N]
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import torch
import safetensors
from safetensors.torch import load_file, save_file

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "bench" / "work" / "weights"
SWIFTC = os.environ.get("SWIFTC", "/opt/swift/usr/bin/swiftc")


def make_checkpoints():
    """Transformer-big-like shapes (d=1024, ffn=4096, 6 layers, 8000x1024 embedding): 335 MB as float32."""
    WORK.mkdir(parents=True, exist_ok=True)
    paths = {"f32": WORK / "f32.safetensors", "f16": WORK / "f16.safetensors", "bin": WORK / "f32.bin"}
    if all(p.exists() for p in paths.values()):
        return paths
    g = torch.Generator().manual_seed(0)
    tensors = {"model.shared.weight": torch.randn(8000, 1024, generator=g)}
    d, f = 1024, 4096
    for i in range(6):
        p = f"model.encoder.layers.{i}."
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            tensors[p + f"self_attn.{name}.weight"] = torch.randn(d, d, generator=g)
            tensors[p + f"self_attn.{name}.bias"] = torch.randn(d, generator=g)
        tensors[p + "fc1.weight"] = torch.randn(f, d, generator=g)
        tensors[p + "fc2.weight"] = torch.randn(d, f, generator=g)
        tensors[p + "final_layer_norm.weight"] = torch.randn(d, generator=g)
    save_file(tensors, paths["f32"], metadata={"format": "pt"})
    save_file({k: v.half() for k, v in tensors.items()}, paths["f16"], metadata={"format": "pt"})
    torch.save(tensors, paths["bin"])
    return paths


def build_driver():
    """Compiles bench/weights/WeightsBench.swift with the weight sources, as the package does (-O, Haswell)."""
    out = WORK / "build"
    out.mkdir(parents=True, exist_ok=True)
    exe = out / "weights-bench"
    common = ["-O", "-wmo", "-target-cpu", "haswell", "-parse-as-library"]
    # LMTensor's Tensor alone (the weight code needs nothing else of it, and no BLAS).
    subprocess.run([SWIFTC, *common, "-emit-module", "-emit-library", "-static", "-module-name", "LMTensor",
                    "-emit-module-path", str(out / "LMTensor.swiftmodule"), "-o", str(out / "libLMTensor.a"),
                    str(REPO / "Sources/LMTensor/Tensor.swift")], check=True)
    sources = sorted(str(p) for p in (REPO / "Sources/LMModel/Weights").glob("*.swift"))
    sources += [str(REPO / "Sources/LMModel/ModelError.swift"), str(REPO / "bench/weights/WeightsBench.swift")]
    subprocess.run([SWIFTC, *common, "-module-name", "WeightsBench", "-I", str(out), "-L", str(out), "-lLMTensor",
                    "-o", str(exe), *sources], check=True)
    return exe


def time_lmcore(exe, path):
    """(wall, CPU) seconds of the driver's load, as it measures itself."""
    line = subprocess.run([str(exe), path], check=True, capture_output=True, text=True).stdout.split()
    return float(line[1]), float(line[4])


def touch(tensors):
    # One element per tensor, as the Swift driver does: proves the dict exists, reads no bulk data.
    for v in tensors.values():
        v.reshape(-1)[v.numel() // 2].item()


def peer_lazy(path):
    touch(load_file(path))


def peer_copy(path):
    touch({k: v.clone() for k, v in load_file(path).items()})


def peer_pread(path):
    touch(load_file(path, backend="pread"))


def peer_float(path):
    touch({k: v.float() for k, v in load_file(path).items()})


def peer_pread_float(path):
    touch({k: v.float() for k, v in load_file(path, backend="pread").items()})


def peer_torch_load(path):
    touch(torch.load(path, weights_only=True, mmap=False))


def time_peer(fn, path):
    start, cpu = time.perf_counter(), time.process_time()
    fn(path)
    return time.perf_counter() - start, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)
    paths = make_checkpoints()
    exe = build_driver()
    # (checkpoint, peer, peer label). lmcore's job is the same on every row of a checkpoint: every tensor
    # copied (and widened) into its own float32 memory.
    rows = [
        ("F32 safetensors", paths["f32"], peer_copy, "load_file + clone (mmap, then copy)"),
        ("F32 safetensors", paths["f32"], peer_pread, "load_file(backend='pread')"),
        ("F32 safetensors", paths["f32"], peer_lazy, "load_file, lazy: reads no data (not comparable)"),
        ("F16 safetensors", paths["f16"], peer_float, "load_file + .float()"),
        ("F16 safetensors", paths["f16"], peer_pread_float, "load_file(backend='pread') + .float()"),
        ("F32 pytorch .bin", paths["bin"], peer_torch_load, "torch.load(weights_only=True)"),
    ]
    files = sorted({str(r[1]) for r in rows})
    inf = (float("inf"), float("inf"))
    ours = {f: inf for f in files}
    theirs = [inf] * len(rows)
    best = lambda a, b: (min(a[0], b[0]), min(a[1], b[1]))
    for _ in range(args.rounds):
        for f in files:
            ours[f] = best(ours[f], time_lmcore(exe, f))
        for i, (_, path, fn, _) in enumerate(rows):
            theirs[i] = best(theirs[i], time_peer(fn, path))
    print(f"torch {torch.__version__}, safetensors {safetensors.__version__}; best of {args.rounds}, interleaved; "
          f"warm page cache; 1 thread; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("wall MB/s; ratio = peer time / lmcore time (> 1: lmcore faster), wall and CPU time")
    print(f"{'checkpoint':17} {'MB':>5} {'lmcore':>7} {'peer':>7} {'wall':>5} {'CPU':>5}  peer")
    for i, (name, path, _, label) in enumerate(rows):
        mb = path.stat().st_size / 1e6
        o, t = ours[str(path)], theirs[i]
        print(f"{name:17} {mb:5.0f} {mb / o[0]:7.0f} {mb / t[0]:7.0f} {t[0] / o[0]:5.2f} {t[1] / o[1]:5.2f}  {label}")


if __name__ == "__main__":
    sys.exit(main())
