#!/usr/bin/env bash
# Sanitizer runs (not in scripts/test.sh: they take ~15 minutes on 2 cores). Run before a release
# and after touching parsers, threading or the server:
#   1. AddressSanitizer: the whole Swift test suite, and the C tests (ABI, text API, 16 threads on
#      one model) built with clang -fsanitize=address,undefined against an ASan liblmcore.so.
#   2. ThreadSanitizer: the Swift concurrency tests; the C 16-thread test and the Python threads
#      test (bindings/python/tests/test_threads.py) against a TSan liblmcore.so; the server tests
#      (Tests/Server) against a TSan lmcore-cli (many requests, batching, timeouts, disconnects, SIGTERM).
# Leaks are checked by Tests/Fuzz/libfuzzer.sh per input. At process exit LeakSanitizer cannot read
# Swift's multi-payload enums, which keep the enum tag in a pointer's spare bits, so objects that
# static caches still hold are reported as leaked. For that reason this script runs ASan with
# detect_leaks=0.
# Builds go to .build-asan and .build-tsan. LMCORE_SANITIZER_BUILD=1 drops `-z defs` from
# liblmcore.so's link (the program that loads the library brings the sanitizer runtime) and links
# the toolchain's shared Swift runtime instead of a static one (Package.swift explains why).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="/opt/swift/usr/bin:$PATH" LMCORE_SANITIZER_BUILD=1
root="$(pwd)"
bash scripts/setup.sh
venv=".venv-test"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check pytest numpy libretranslatepy==2.1.4
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps ./bindings/python
normal="$(bash scripts/build.sh)"   # the Python side of the server tests uses the normal library

echo "== AddressSanitizer: Swift tests"
swift build -c release --build-tests --sanitize=address --scratch-path .build-asan >&2
ASAN_OPTIONS=detect_leaks=0 swift test -c release --sanitize=address --scratch-path .build-asan --skip-build 2>&1 \
    | grep -v -E '^(◇|􀟈) .* started\.$' | tail -3

echo "== AddressSanitizer + UBSan: C tests against the ASan library"
asan="$(swift build -c release --sanitize=address --scratch-path .build-asan --show-bin-path)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cc=(clang -std=c99 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -I"$root/include")
link=(-L"$asan" -llmcore -lm -lpthread -Wl,-rpath,"$asan")
ln -sf liblmcore.so "$asan/liblmcore.so.0"
"${cc[@]}" Tests/C/abi_test.c -o "$work/abi_test" "${link[@]}"
"${cc[@]}" Tests/C/text_api_test.c -o "$work/text_api_test" "${link[@]}"
"${cc[@]}" Tests/C/thread_test.c -o "$work/thread_test" "${link[@]}"
model="$root/Tests/Fixtures/models/marian-swish-tied"
read -r source expected < <(python3 - "$model/goldens.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))["inputs"][0]
print(" ".join(map(str, g["source_ids"])) + "|" + " ".join(map(str, g["greedy"])))
PY
)
IFS='|' read -r source expected <<< "$source $expected"
export ASAN_OPTIONS=detect_leaks=0
"$work/abi_test" "$model" "$source" $expected
python3 "$root/Tests/C/text_cases.py" "$root/models/numbers-7lang/eval" "$work"
"$work/text_api_test" "$root/models/numbers-7lang" "$work/text_cases.tsv" "$work/text_score.tsv"
"$work/thread_test" "$root/models/numbers-7lang" "$root/models/numbers-7lang/samples.txt"
"$work/thread_test" "$root/Tests/Fixtures/models/bart-gelu-tied" "$root/Tests/CLI/cases/generate-bart-gelu-tied.in"
unset ASAN_OPTIONS

echo "== ThreadSanitizer: Swift concurrency tests"
swift build -c release --build-tests --sanitize=thread --scratch-path .build-tsan >&2
TSAN_OPTIONS=halt_on_error=1 swift test -c release --sanitize=thread --scratch-path .build-tsan --skip-build \
    --filter "storeIsUsableFromManyThreads|parallelChunksCoverEveryIndexOnce|KernelPoolTests|concurrentEncodingMatchesSerial|DefaultModelTests" \
    2>&1 | grep -v -E '^(◇|􀟈) .* started\.$' | tail -3

tsan="$(swift build -c release --sanitize=thread --scratch-path .build-tsan --show-bin-path)"
echo "== ThreadSanitizer: C threads and Python threads sharing one model (TSan liblmcore.so)"
# The sanitizer build links the toolchain's shared Swift runtime and libdispatch (Package.swift,
# swiftRuntime): TSan sees DispatchQueue.concurrentPerform's joins only through its interceptors.
# Python is not instrumented, so the TSan runtime and the libdispatch it needs are preloaded.
swift build -c release --sanitize=thread --scratch-path .build-tsan --product lmcore >&2
ln -sf liblmcore.so "$tsan/liblmcore.so.0"
toolchain_lib="$(dirname "$(dirname "$(command -v swift)")")/lib"
tsan_runtime="$(ls "$toolchain_lib"/clang/*/lib/linux/libclang_rt.tsan-x86_64.so | tail -n 1)"
rm -f "$work"/tsan.*
# (the static TSan runtime of an instrumented C program calls into libdispatch and BlocksRuntime)
clang -std=c99 -g -fsanitize=thread -I"$root/include" Tests/C/thread_test.c -o "$work/thread_test_tsan" \
    -L"$tsan" -llmcore -L"$toolchain_lib/swift/linux" -ldispatch -lBlocksRuntime -lm -lpthread \
    -Wl,-rpath,"$tsan" -Wl,-rpath,"$toolchain_lib/swift/linux"
TSAN_OPTIONS="halt_on_error=0 log_path=$work/tsan" \
    "$work/thread_test_tsan" "$root/models/numbers-7lang" "$root/models/numbers-7lang/samples.txt"
(cd bindings/python/tests && LD_PRELOAD="$tsan_runtime $toolchain_lib/swift/linux/libBlocksRuntime.so $toolchain_lib/swift/linux/libdispatch.so" \
    TSAN_OPTIONS="halt_on_error=0 log_path=$work/tsan" LMCORE_LIBRARY="$tsan/liblmcore.so" \
    "$root/$venv/bin/python" -m pytest -q -p no:cacheprovider test_threads.py)
if ls "$work"/tsan.* >/dev/null 2>&1; then
    echo "ThreadSanitizer reports from the C or Python threads:"; grep -h SUMMARY "$work"/tsan.* | sort | uniq -c; exit 1
fi

echo "== ThreadSanitizer: the server tests against a TSan lmcore-cli"
rm -f "$work"/tsan.*
(cd Tests/Server && TSAN_OPTIONS="halt_on_error=0 log_path=$work/tsan" LMCORE_SLOW_INPUTS=8 LMCORE_BUILD="$tsan" \
    LMCORE_LIBRARY="$normal/liblmcore.so" "$root/$venv/bin/python" -m pytest -q -p no:cacheprovider .)
if ls "$work"/tsan.* >/dev/null 2>&1; then
    echo "ThreadSanitizer reports from the server:"; grep -h SUMMARY "$work"/tsan.* | sort | uniq -c; exit 1
fi
echo "== sanitizer runs clean"
