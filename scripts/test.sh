#!/usr/bin/env bash
# Sets up and runs every test of lmcore: Swift (XCTest/Swift Testing), C (header, exports, ABI
# from a relocated library in an empty environment), Python (pytest over the pip-installed
# ctypes package) and CLI smoke tests. One release build serves them all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="/opt/swift/usr/bin:$PATH"
start=$(date +%s)

bash scripts/setup.sh
# Test-only tools: cmake (the find_package test of the C package).
if ! command -v cmake >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq cmake >/dev/null
fi
bin="$(bash scripts/build.sh)"

echo "== Swift tests"
# Swift Testing announces every parameterized case as it starts; keep results and failures.
swift test -c release --skip-build 2>&1 | grep -v -E '^(◇|􀟈) .* started\.$'

echo "== C tests"
bash Tests/C/run.sh "$bin"
LMCORE_LIBRARY="$bin/liblmcore.so" bash Tests/Fuzz/run.sh
echo "== libFuzzer + AddressSanitizer (every parser and tokenizer, ${LMCORE_FUZZ_SECONDS:-5} s each; own build in .build-fuzz)"
bash Tests/Fuzz/libfuzzer.sh "${LMCORE_FUZZ_SECONDS:-5}"

echo "== Python tests"
venv=".venv-test"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check pytest numpy mypy typing_extensions
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps ./bindings/python
(cd bindings/python/tests && LMCORE_LIBRARY="$bin/liblmcore.so" "../../../$venv/bin/python" -m pytest -q .)

echo "== CLI tests"
bash Tests/CLI/run.sh "$bin"

echo "== Server tests (lmcore-cli serve on loopback: libretranslatepy, bad input, limits, shutdown, load)"
bash Tests/Server/run.sh "$bin" "$venv"

echo "== Spark tests (lmcore.spark on local[2], 10,000 rows against single-process translation)"
bash Tests/Spark/run.sh "$bin" "$venv"

echo "== Examples (C via pkg-config, Python from a fresh venv)"
bash Tests/Examples/run.sh "$bin"

echo "== Wheel (scripts/wheel.sh: manylinux wheel in a fresh venv, system libraries hidden)"
bash Tests/Wheel/run.sh

echo "== all tests passed in $(( $(date +%s) - start )) s"
