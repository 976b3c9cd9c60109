#!/usr/bin/env bash
# Creates (once) the reference Python environment used only by fixture generators, training and
# peer benchmarks. Tests never need it. Override the location with LMCORE_REF_VENV.
set -euo pipefail
venv="${LMCORE_REF_VENV:-/opt/lmcore-ref}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# torch's CPU-only wheel lives on the PyTorch index (or a local wheel folder seen by pip).
"$venv/bin/pip" install -q --extra-index-url https://download.pytorch.org/whl/cpu -r "$here/requirements.txt"
echo "$venv"
