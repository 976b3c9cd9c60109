#!/usr/bin/env bash
# The C API fuzzer as a regression test: fixed cases over every lmcore.h function, hostile
# generation parameters, and a fixed-seed set of mutated model folders and tokenizer files, each
# batch in a worker subprocess (a crash or hang is reported with its reproducer, not fatal to the
# run). Exits non-zero on any crash, hang, undocumented status or empty error message.
# Uses $LMCORE_LIBRARY, else .build/release/liblmcore.so; builds nothing. Extra arguments go to
# fuzz_capi.py (e.g. --only model:SEED to replay one case, --seed N --model-cases N to explore).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
library="${LMCORE_LIBRARY:-$root/.build/release/liblmcore.so}"
if [ ! -f "$library" ]; then
    echo "fuzz: $library not found; build first (swift build -c release) or set LMCORE_LIBRARY" >&2
    exit 2
fi
echo "== C API fuzz ($library)"
exec python3 "$here/fuzz_capi.py" --library "$library" "$@"
