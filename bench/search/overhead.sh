#!/usr/bin/env bash
# Search overhead per decoder step (LMGeneration) at OPUS-MT vocabulary size, against the LM-head GEMM of
# the same step as a peer (a lower bound of a real decoder step). Target: beam 4 overhead < 5% of a step.
# Usage: bench/search/overhead.sh   (builds release; set OPENBLAS_NUM_THREADS to pin BLAS threads)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
swift build -c release --build-tests >/dev/null
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
LMCORE_BENCH=1 swift test -c release --skip-build --filter SearchOverheadBenchmark 2>&1 \
    | grep -E "search overhead|µs/step"
