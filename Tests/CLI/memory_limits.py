#!/usr/bin/env python3
"""Peak memory against input size, through lmcore-cli as a user runs it (issue 18).

Each command runs in its own process; its peak RSS comes from os.wait4's rusage. Asserts:
  * tokenize (no truncation) grows by at most 160 bytes of peak RSS per input byte between a
    1 MiB and a 4 MiB line (measured: ~114 for models/numbers-7lang, ~75 for GPT-2; HF tokenizers
    on the same texts: bench/tokenizers/tokenizer_memory.py);
  * translate truncates a long source from prefixes of it (LMCore Tokenizers.prefixTruncated), so
    its peak does not grow with the line: a line just under the 16 MiB text limit peaks below
    150 MiB plus the line itself, and gives the same translation as its first 64 KiB;
  * a line over the limit is an error (exit 1) naming the limit, also below that bound.
Usage: memory_limits.py LMCORE_CLI MODEL_FOLDER
"""
import os
import subprocess
import sys
import tempfile

LIMIT = 1 << 24  # TextLimits.maxTextBytes
UNIT = "one two three 123 456, ünï 東京 "


def text_of(size):
    raw = (UNIT * (size // len(UNIT.encode()) + 1)).encode()[:size]
    return raw.decode(errors="ignore")


def measured(cli, args, text):
    """(peak RSS bytes, exit code, stdout, stderr) of `cli args` with `text` as its one stdin line.
    Output goes to files, not pipes, so neither stream can fill up while the other is read, and the
    child is reaped by os.wait4 (whose rusage is the child's own)."""
    with tempfile.TemporaryFile("w+") as f, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        f.write(text + "\n")
        f.seek(0)
        p = subprocess.Popen([cli] + args, stdin=f, stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        out.seek(0)
        err.seek(0)
        return usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), out.read().decode(), err.read().decode()


def main():
    cli, model = sys.argv[1], sys.argv[2]
    failures = 0

    def check(ok, what):
        nonlocal failures
        print(("  ok  " if ok else "  FAIL ") + what)
        failures += 0 if ok else 1

    small, large = 1 << 20, 4 << 20
    peaks = {}
    for size in (small, large):
        peak, code, _, err = measured(cli, ["tokenize", "--tokenizer", model], text_of(size))
        check(code == 0, f"tokenize a {size >> 20} MiB line (exit {code} {err.strip()[:100]})")
        peaks[size] = peak
    slope = (peaks[large] - peaks[small]) / (large - small)
    check(slope <= 160, f"tokenize: {slope:.0f} bytes of peak RSS per input byte (bound 160; "
                        f"{peaks[small] >> 20} MiB at 1 MiB, {peaks[large] >> 20} MiB at 4 MiB)")

    args = ["translate", "--model", model, "--max-new-tokens", "6"]
    near = text_of(LIMIT - 100)
    peak, code, out, err = measured(cli, args, near)
    check(code == 0, f"translate a line of {len(near.encode())} bytes (exit {code} {err.strip()[:100]})")
    bound = 150 * 2**20 + len(near.encode())
    check(peak <= bound, f"translate near the limit peaks at {peak >> 20} MiB (bound {bound >> 20} MiB)")
    _, _, head, _ = measured(cli, args, text_of(1 << 16))
    check(out == head, "the long line translates as its first 64 KiB (truncated to the model's 512 tokens)")

    peak, code, out, err = measured(cli, args, text_of(LIMIT + 10))
    check(code == 1 and "16777216 bytes" in err.splitlines()[0],
          f"a line over the limit: exit {code}, {err.strip()[:140]!r}")
    check(peak <= 150 * 2**20 + LIMIT + 10, f"refusing it peaks at {peak >> 20} MiB")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
