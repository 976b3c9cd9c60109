#!/usr/bin/env bash
# The server's tests: pytest over a real `lmcore-cli serve` on loopback ports (libretranslatepy,
# the LibreTranslate client from PyPI; http.client for the rest), then the bounded load test
# (bench/load_server.py: 64 clients for 30 s with dynamic batching, every answer checked).
# Usage: Tests/Server/run.sh BUILD_DIR VENV   (VENV has the lmcore package installed)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "$1" && pwd)"
python="$(cd "$2" && pwd)/bin/python"
"$python" -m pip install -q --disable-pip-version-check libretranslatepy==2.1.4
export LMCORE_BUILD="$build" LMCORE_LIBRARY="$build/liblmcore.so"
(cd "$here" && "$python" -m pytest -q .)
"$python" "$root/bench/load_server.py" --clients 64 --duration "${LMCORE_LOAD_SECONDS:-30}" --modes batching
