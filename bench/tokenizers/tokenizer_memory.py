#!/usr/bin/env python3
"""Tokenizer working memory per input byte: lmcore vs HF tokenizers, same tokenizer.json, same text.

Each encode runs in a fresh process (lmcore: `lmcore-cli tokenize`; HF: the `tokenizers`
package's Tokenizer.from_file(...).encode, in the reference venv) and its peak RSS comes from
os.wait4. The figure is the slope between a 1 MiB and a 4 MiB line, so each process's fixed cost
(runtime, vocabulary) cancels. Tests/CLI/memory_limits.py asserts lmcore's bound; this script
puts it beside HF's.

    python3 bench/tokenizers/tokenizer_memory.py [--cli .build/release/lmcore-cli] [--python /opt/lmcore-ref/bin/python]
"""
import argparse
import os
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SHARED = ROOT.parent / "shared" / "testdata" / "tokenizers"
TOKENIZERS = [ROOT / "models/numbers-7lang/tokenizer.json"] + [SHARED / n / "tokenizer.json" for n in
                                                              ("gpt2", "bert-base-uncased", "t5-small", "roberta-base")]
UNIT = "one two three 123 456, ünï 東京 Crème brûlée "
HF = "import sys\nfrom tokenizers import Tokenizer\nt = Tokenizer.from_file(sys.argv[1])\nt.encode(open(sys.argv[2]).read())\n"


def peak(command, stdin_path=None):
    """Peak RSS in bytes of `command` (stdin from `stdin_path` when given); exits on its failure."""
    with open(stdin_path or os.devnull) as stdin:
        p = subprocess.Popen(command, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed: {err.decode()[:300]}")
    return usage.ru_maxrss * 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=str(ROOT / ".build/release/lmcore-cli"))
    ap.add_argument("--python", default="/opt/lmcore-ref/bin/python")
    args = ap.parse_args()
    sizes = (1 << 20, 4 << 20)
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for size in sizes:
            text = (UNIT * (size // len(UNIT.encode()) + 1)).encode()[:size].decode(errors="ignore")
            files[size] = os.path.join(tmp, f"{size}.txt")
            Path(files[size]).write_text(text + "\n")
        print("| tokenizer.json | lmcore B/byte | HF tokenizers B/byte | lmcore / HF |")
        print("|---|---:|---:|---:|")
        for tok in TOKENIZERS:
            slopes = []
            for tool in ("lmcore", "hf"):
                peaks = []
                for size in sizes:
                    if tool == "lmcore":
                        peaks.append(peak([args.cli, "tokenize", "--tokenizer", str(tok)], stdin_path=files[size]))
                    else:
                        peaks.append(peak([args.python, "-c", HF, str(tok), files[size]]))
                slopes.append((peaks[1] - peaks[0]) / (sizes[1] - sizes[0]))
            name = tok.parent.name
            print(f"| {name} | {slopes[0]:.0f} | {slopes[1]:.0f} | {slopes[0] / slopes[1]:.2f} |")


if __name__ == "__main__":
    main()
