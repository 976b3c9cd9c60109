#!/usr/bin/env bash
# Creates (once) the reference Python environment used only by fixture generators, training and
# peer benchmarks. Tests never need it. Override the location with LMCORE_REF_VENV.
set -euo pipefail
venv="${LMCORE_REF_VENV:-/opt/lmcore-ref}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# torch's CPU-only wheel lives on the PyTorch index, or in a local wheel folder pip is set up to
# see (find-links); ask the PyTorch index only when no such folder holds it, since an
# unreachable index costs minutes of retries.
extra=(--extra-index-url https://download.pytorch.org/whl/cpu)
links="$("$venv/bin/pip" config get global.find-links 2>/dev/null || true)"
if [ -n "$links" ] && compgen -G "$links/torch-*+cpu-*.whl" >/dev/null; then
    extra=()
fi
"$venv/bin/pip" install -q "${extra[@]}" -r "$here/requirements.txt"
echo "$venv"
