#!/usr/bin/env bash
# The main job on the bundled model: installs what the build needs, builds lmcore in release
# and translates sample inputs with models/numbers-7lang through `lmcore-cli translate`
# (beam 4). Pass your own inputs as arguments to translate those instead:
#   bash scripts/demo.sh ">>fr<< 4213" ">>nl<< 80"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="/opt/swift/usr/bin:$PATH"
model="models/numbers-7lang"

bash scripts/setup.sh
echo "demo: building lmcore (release; the first build takes a few minutes)..." >&2
swift build -c release --product lmcore-cli >&2
cli="$(swift build -c release --show-bin-path)/lmcore-cli"

input="$model/samples.txt"
if [ $# -gt 0 ]; then
    input="$(mktemp)"
    trap 'rm -f "$input"' EXIT
    printf '%s\n' "$@" > "$input"
fi
echo "demo: $model (Marian layout, trained by models/train) -- lmcore-cli translate --beams 4" >&2
"$cli" translate --model "$model" --beams 4 < "$input" | paste "$input" - | awk -F'\t' '{printf "%-20s -> %s\n", $1, $2}'
