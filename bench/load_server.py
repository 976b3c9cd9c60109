"""Load test of `lmcore-cli serve` on loopback: N concurrent clients for a fixed time, every
answer checked, stops by itself.

    swift build -c release && python3 bench/load_server.py [--clients 64] [--duration 30]
        [--modes batching,no-batching,sequential] [--api libretranslate|native]

Each client loops: a random held-out input of the bundled model (1-7 digits, seven languages),
POST /translate (LibreTranslate's JSON API; the model's default beam 4), and the answer compared
with HF transformers' beam-4 output for that input (models/numbers-7lang/eval/hf_beam4.jsonl).
Modes, each on a fresh server:
  batching      dynamic batching on (the default: up to 32 inputs, 5 ms wait), --clients clients
  no-batching   --no-batching: each request decoded alone, in arrival order, --clients clients
  sequential    one client, one request at a time (the baseline of a user's own loop)
Prints requests/s, p50/p99 latency and errors per mode, the server's mean batch size, and the CPU
flags; exits 1 on any error. The clients run in this process (threads), on the same 2 cores as the
server: the figures include their cost.
"""
import argparse
import json
import os
import random
import re
import statistics
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Server"))
from server import MODEL, Server  # noqa: E402


def cpu_flags():
    try:
        text = open("/proc/cpuinfo").read()
    except OSError:
        return "unknown"
    return " ".join(sorted(set(re.findall(r"avx512[a-z_0-9]*|avx2|fma|amx[a-z_]*", text))))


def expected_pairs():
    rows = [line.rstrip("\n").split("\t") for line in open(MODEL / "eval" / "heldout.tsv", encoding="utf-8")][1:]
    beam = [json.loads(line) for line in open(MODEL / "eval" / "hf_beam4.jsonl", encoding="utf-8")]
    assert len(rows) == len(beam)
    # (target, digits, expected text): the LibreTranslate request carries the language as `target`.
    return [(row[0], row[1], b["text"]) for row, b in zip(rows, beam)]


def run_mode(mode, clients, duration, api, server_args=()):
    args = (["--no-batching"] if mode == "no-batching" else []) + list(server_args)
    pairs = expected_pairs()
    with Server(*args) as server:
        # Warm up (first requests touch the model's pages).
        for target, digits, text in pairs[:8]:
            server.post_json("/translate", {"q": digits, "source": "en", "target": target})
        before = server.metrics()
        latencies, errors = [], []
        lock = threading.Lock()
        stop_at = time.monotonic() + duration

        def client(seed):
            rng = random.Random(seed)
            mine, bad = [], []
            while time.monotonic() < stop_at:
                target, digits, text = rng.choice(pairs)
                start = time.perf_counter()
                try:
                    if api == "native":
                        status, _, answer = server.post_json("/v1/translate", {"text": digits, "target_lang": target})
                        got = answer.get("translations", [{}])[0].get("text") if status == 200 else answer
                    else:
                        status, _, answer = server.post_json("/translate",
                                                             {"q": digits, "source": "en", "target": target})
                        got = answer.get("translatedText") if status == 200 else answer
                except Exception as error:  # noqa: BLE001 - every failure is counted and shown
                    status, got = None, repr(error)
                mine.append(time.perf_counter() - start)
                if status != 200 or got != text:
                    bad.append((target, digits, status, got, text))
            with lock:
                latencies.extend(mine)
                errors.extend(bad)

        n = 1 if mode == "sequential" else clients
        threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        after = server.metrics()
    batches = after["lmcore_batch_inputs_count"] - before["lmcore_batch_inputs_count"]
    inputs = after["lmcore_batch_inputs_sum"] - before["lmcore_batch_inputs_sum"]
    latencies.sort()
    return {
        "mode": mode, "clients": n, "requests": len(latencies), "rps": len(latencies) / elapsed,
        "p50": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else float("nan"),
        "batch": inputs / batches if batches else float("nan"), "errors": errors,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--duration", type=float, default=30)
    ap.add_argument("--modes", default="batching,no-batching,sequential")
    ap.add_argument("--api", choices=["libretranslate", "native"], default="libretranslate")
    ap.add_argument("--server-args", default="", help="more lmcore-cli serve flags, e.g. '--batch-wait-ms 0'")
    ap.add_argument("--reps", type=int, default=1, help="run the modes in turn this many times (interleaved)")
    args = ap.parse_args()
    print(f"CPU flags: {cpu_flags()}; {os.cpu_count()} cores; {args.duration:g} s per mode; API {args.api}")
    print(f"{'mode':<12} {'clients':>7} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'batch':>6} {'errors':>6}")
    results = []
    for _ in range(args.reps):
        for mode in args.modes.split(","):
            r = run_mode(mode, args.clients, args.duration, args.api, args.server_args.split())
            results.append(r)
            print(f"{r['mode']:<12} {r['clients']:>7} {r['requests']:>9} {r['rps']:>8.1f} {r['p50']:>8.1f} "
                  f"{r['p99']:>8.1f} {r['batch']:>6.1f} {len(r['errors']):>6}", flush=True)
            for e in r["errors"][:5]:
                print("   error:", e)
    by_mode = {}
    for r in results:
        by_mode.setdefault(r["mode"], []).append(r["rps"])
    for peer in ("no-batching", "sequential"):
        if "batching" in by_mode and peer in by_mode:
            ratios = [a / b for a, b in zip(by_mode["batching"], by_mode[peer])]
            print(f"batching / {peer} throughput: median {statistics.median(ratios):.2f}x over {len(ratios)} rep(s)")
    sys.exit(1 if any(r["errors"] for r in results) or not all(r["requests"] for r in results) else 0)


if __name__ == "__main__":
    main()
