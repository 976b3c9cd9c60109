#!/usr/bin/env bash
# Builds and runs every example as a user would, on the bundled default model, and checks the
# output: examples/c against the library installed to a prefix (pkg-config), examples/python
# from a fresh virtualenv with `pip install ./bindings/python` (which bundles liblmcore.so) and
# an empty environment. Usage: Tests/Examples/run.sh BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "$1" && pwd)"
model="$root/models/numbers-7lang"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0

expect_same() { # name, actual file, expected file
    if cmp -s "$2" "$3"; then echo "  ok  $1"; else echo "  FAIL $1"; diff "$3" "$2" | head -5; failures=$((failures + 1)); fi
}

# The samples' expected translations (HF transformers' beam-4 outputs, eval/samples.jsonl).
python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    print(json.loads(line)["reference"])' "$model/eval/samples.jsonl" > "$work/expected.txt"
paste "$model/samples.txt" "$work/expected.txt" > "$work/expected-pairs.txt"

echo "examples/c: built with pkg-config against an installed copy"
PREFIX="$work/prefix" LMCORE_BUILD_DIR="$build" bash "$root/bindings/c/install.sh" >/dev/null
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
for example in translate stream; do
    # shellcheck disable=SC2046
    gcc -std=c99 -Wall -Wextra -pedantic -Werror "$root/examples/c/$example.c" -o "$work/$example" \
        $(pkg-config --cflags --libs lmcore)
done
env -i "$work/translate" "$model" < "$model/samples.txt" > "$work/c-translate.txt"
expect_same "c/translate (beam 4)" "$work/c-translate.txt" "$work/expected.txt"
env -i "$work/stream" "$model" ">>de<< 2026" > "$work/c-stream.txt"
echo "zweitausendsechsundzwanzig" > "$work/c-stream-expected.txt"
expect_same "c/stream" "$work/c-stream.txt" "$work/c-stream-expected.txt"

echo "examples/python: fresh virtualenv, pip install ./bindings/python, empty environment"
python3 -m venv "$work/venv"
LMCORE_LIBRARY="$build/liblmcore.so" "$work/venv/bin/pip" install -q --disable-pip-version-check "$root/bindings/python"
rm -rf "$root/bindings/python/build"
version="$(cd "$work" && env -i "$work/venv/bin/python" -c "import lmcore; print(lmcore.version())")"
if [ "$version" = "$("$build/lmcore-cli" --version)" ]; then echo "  ok  import lmcore; lmcore.version() = $version"; else
    echo "  FAIL lmcore.version() = '$version'"; failures=$((failures + 1)); fi
mapfile -t samples < "$model/samples.txt"
(cd "$work" && env -i "$work/venv/bin/python" "$root/examples/python/translate.py" "$model" "${samples[@]}") > "$work/py-translate.txt"
expect_same "python/translate.py" "$work/py-translate.txt" "$work/expected-pairs.txt"
(cd "$work" && env -i "$work/venv/bin/python" "$root/examples/python/translate_file.py" "$model" "$model/samples.txt" \
    "$work/py-file.txt" 2> "$work/py-file.err")
expect_same "python/translate_file.py" "$work/py-file.txt" "$work/expected.txt"
n="$(wc -l < "$model/samples.txt")"
if grep -q "$n/$n" "$work/py-file.err"; then echo "  ok  translate_file.py progress"; else
    echo "  FAIL translate_file.py progress: $(cat "$work/py-file.err")"; failures=$((failures + 1)); fi

[ "$failures" -eq 0 ] && echo "examples: all passed" || echo "examples: $failures failed"
exit "$failures"
