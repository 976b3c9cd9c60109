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
ln -sf liblmcore.so "$work/lib/liblmcore.so.0"
if ! readelf -d "$work/lib/liblmcore.so" | grep -q 'Library soname: \[liblmcore.so.0\]'; then
    echo "liblmcore.so's SONAME is not liblmcore.so.0:"; readelf -d "$work/lib/liblmcore.so" | grep SONAME; exit 1
fi
gcc -std=c99 -Wall -Wextra -pedantic -Werror -I"$root/include" "$here/abi_test.c" -o "$work/abi_test" \
    -L"$work/lib" -llmcore -lm -Wl,-rpath,"$work/lib"
if ! readelf -d "$work/abi_test" | grep -q 'Shared library: \[liblmcore.so.0\]'; then
    echo "a program linked with -llmcore does not record liblmcore.so.0"; exit 1
fi
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

echo "C: tokenizer, translate, score and encode on the default model against transformers"
gcc -std=c99 -Wall -Wextra -pedantic -Werror -I"$root/include" "$here/text_api_test.c" -o "$work/text_api_test" \
    -L"$work/lib" -llmcore -lm -Wl,-rpath,"$work/lib"
default_model="$root/models/numbers-7lang"
python3 "$root/Tests/C/text_cases.py" "$default_model/eval" "$work"
env -i "$work/text_api_test" "$default_model" "$work/text_cases.tsv" "$work/text_score.tsv"

echo "C: lmcore_evaluate against sacrebleu and rouge-score"
gcc -std=c99 -Wall -Wextra -pedantic -Werror -D_POSIX_C_SOURCE=200809L -I"$root/include" "$here/evaluate_test.c" \
    -o "$work/evaluate_test" -L"$work/lib" -llmcore -lm -Wl,-rpath,"$work/lib"
python3 - "$root/Tests/Fixtures/metrics/goldens.json" "$work" <<'PY'
import json, sys
g, work = json.load(open(sys.argv[1], encoding="utf-8"))["cli"], sys.argv[2]
for name, lines in (("hyps", g["hypotheses"]), ("ref1", g["references"][0]), ("ref2", g["references"][1])):
    open(f"{work}/{name}.txt", "w", encoding="utf-8").write("".join(l + "\n" for l in lines))
with open(f"{work}/expected.txt", "w") as f:
    for case in g["cases"]:
        if case["flags"]:
            continue
        for metric, score in case["corpus"].items():
            f.write(f"corpus {case['refs']} {metric} {score!r}\n")
        for i, s in enumerate(case["sentence"]):
            f.write(f"sentence_bleu {case['refs']} {i} {s['bleu']!r}\n")
PY
env -i "$work/evaluate_test" "$work/hyps.txt" "$work/ref1.txt" "$work/ref2.txt" "$work/expected.txt"

echo "C: 16 threads share one model"
gcc -std=c99 -Wall -Wextra -pedantic -Werror -I"$root/include" "$here/thread_test.c" -o "$work/thread_test" \
    -L"$work/lib" -llmcore -lpthread -Wl,-rpath,"$work/lib"
if [ -n "${LMCORE_THREAD_TEST_MODEL:-}" ]; then
    env -i "$work/thread_test" "$LMCORE_THREAD_TEST_MODEL" "$LMCORE_THREAD_TEST_INPUTS"
else
    # Text through lmcore_translate (tokenizer + beam 2) on the default model, and ids through
    # lmcore_generate on a tiny fixture.
    env -i "$work/thread_test" "$root/models/numbers-7lang" "$root/models/numbers-7lang/samples.txt"
    env -i "$work/thread_test" "$root/Tests/Fixtures/models/bart-gelu-tied" "$root/Tests/CLI/cases/generate-bart-gelu-tied.in"
fi

echo "C: the C++ wrapper (bindings/c/lmcore.hpp) covers every function and works"
"$here/check_hpp.sh" "$root/include/lmcore.h" "$root/bindings/c/lmcore.hpp"
g++ -std=c++17 -Wall -Wextra -pedantic -Werror -I"$root/include" -I"$root/bindings/c" "$here/hpp_test.cpp" \
    -o "$work/hpp_test" -L"$work/lib" -llmcore -Wl,-rpath,"$work/lib"
"$work/hpp_test" "$root/models/numbers-7lang"

echo "C: install to a prefix, build outside programs with pkg-config and CMake"
PREFIX="$work/prefix" LMCORE_BUILD_DIR="$build" bash "$root/bindings/c/install.sh"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
cat > "$work/outside.c" <<'C'
#include <lmcore.h>
#include <stdio.h>
int main(void) { printf("lmcore %s (abi %d)\n", lmcore_version(), (int)lmcore_abi_version()); return 0; }
C
# shellcheck disable=SC2046
gcc -std=c99 -Wall -Werror "$work/outside.c" -o "$work/outside" $(pkg-config --cflags --libs lmcore)
env -i "$work/outside"
if command -v cmake >/dev/null 2>&1; then
    mkdir -p "$work/cmake-app"
    cp "$work/outside.c" "$work/cmake-app/outside.c"
    cat > "$work/cmake-app/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(outside C)
find_package(lmcore 0.1 REQUIRED)
add_executable(outside outside.c)
target_link_libraries(outside lmcore::lmcore)
CMAKE
    cmake -S "$work/cmake-app" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
    cmake --build "$work/cmake-build" >/dev/null
    env -i "$work/cmake-build/outside"
else
    echo "cmake not installed: CMake package test skipped (scripts/test.sh installs it)"
fi
