#!/usr/bin/env bash
# C-side tests of liblmcore.so: header hygiene, exported symbols, and the ABI test program run
# from a copy of the library in a scratch folder with an empty environment (no Swift toolchain
# paths), as a user's program would. Usage: Tests/C/run.sh BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "$1" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "C: header compiles as strict C99 and as C++"
gcc -std=c99 -Wall -Wextra -pedantic -Werror -I"$root/include" -c "$here/header_test.c" -o "$work/header_c.o"
g++ -std=c++11 -Wall -Wextra -pedantic -Werror -x c++ -I"$root/include" -c "$here/header_test.c" -o "$work/header_cpp.o"

echo "C: exported symbols"
"$here/check_exports.sh" "$root/include/lmcore.h" "$build/liblmcore.so"

echo "C: ABI test against a relocated copy of the library, empty environment"
mkdir -p "$work/lib"
cp "$build/liblmcore.so" "$work/lib/"
gcc -std=c99 -Wall -Wextra -pedantic -Werror -I"$root/include" "$here/abi_test.c" -o "$work/abi_test" \
    -L"$work/lib" -llmcore -lm -Wl,-rpath,"$work/lib"
if ldd "$work/lib/liblmcore.so" | grep -q "swift"; then
    echo "liblmcore.so depends on the Swift toolchain:"; ldd "$work/lib/liblmcore.so"; exit 1
fi
model="$root/Tests/Fixtures/models/marian-swish-tied"
read -r source expected < <(python3 - "$model/goldens.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))["inputs"][0]
print(" ".join(map(str, g["source_ids"])) + "|" + " ".join(map(str, g["greedy"])))
PY
)
IFS='|' read -r source expected <<< "$source $expected"
env -i "$work/abi_test" "$model" "$source" $expected
