#!/usr/bin/env bash
# Smoke tests of lmcore-cli: each case's stdin (cases/*.in) through the command named by the
# case file's first word, compared with the committed expected output (cases/*.out, made from
# the HF goldens). Also the error contract: one line on stderr, exit status 1 or 64.
# Usage: Tests/CLI/run.sh BUILD_DIR
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cli="$(cd "$1" && pwd)/lmcore-cli"
models="$root/Tests/Fixtures/models"
failures=0

expect_same() { # name, actual file, expected file
    if cmp -s "$2" "$3"; then echo "  ok  $1"; else echo "  FAIL $1"; diff "$3" "$2" | head -5; failures=$((failures + 1)); fi
}

echo "CLI: generate --ids (fixed 6 new tokens) against transformers"
for input in "$here"/cases/generate-*.in; do
    name="$(basename "$input" .in)"; variant="${name#generate-}"
    "$cli" generate --model "$models/$variant" --ids --max-new-tokens 6 --min-new-tokens 6 < "$input" > "/tmp/lmcore-cli-$name.txt"
    expect_same "$name" "/tmp/lmcore-cli-$name.txt" "$here/cases/$name.out"
done

echo "CLI: inspect"
if "$cli" inspect --model "$models/bart-gelu-tied" | grep -q "^model_type: bart$"; then echo "  ok  inspect"; else echo "  FAIL inspect"; failures=$((failures + 1)); fi

echo "CLI: convert pytorch_model.bin -> model.safetensors gives the same outputs"
weights="$root/Tests/Fixtures/weights"
rm -rf /tmp/lmcore-cli-converted
"$cli" convert --model "$weights/marian-bin" --out /tmp/lmcore-cli-converted > /dev/null
for dir in "$weights/marian-bin" /tmp/lmcore-cli-converted "$weights/marian-safetensors" "$weights/marian-sharded-bin"; do
    printf '5 6 7 0\n9 0\n' | "$cli" generate --model "$dir" --ids --max-new-tokens 8 > "/tmp/lmcore-cli-conv-$(basename "$dir").txt"
done
expect_same "convert (bin vs converted)" /tmp/lmcore-cli-conv-lmcore-cli-converted.txt /tmp/lmcore-cli-conv-marian-bin.txt
expect_same "bin vs safetensors" /tmp/lmcore-cli-conv-marian-bin.txt /tmp/lmcore-cli-conv-marian-safetensors.txt
expect_same "sharded bin vs safetensors" /tmp/lmcore-cli-conv-marian-sharded-bin.txt /tmp/lmcore-cli-conv-marian-safetensors.txt

echo "CLI: errors are one line on stderr with a non-zero exit"
check_error() { # name, expected status, command...
    local name="$1" want="$2"; shift 2
    "$@" </dev/null >/dev/null 2>/tmp/lmcore-cli-err.txt; local got=$?
    local lines; lines=$(wc -l < /tmp/lmcore-cli-err.txt)
    if [ "$got" -eq "$want" ] && [ "$lines" -ge 1 ]; then echo "  ok  $name (exit $got)"; else
        echo "  FAIL $name: exit $got (want $want), stderr:"; cat /tmp/lmcore-cli-err.txt; failures=$((failures + 1)); fi
}
check_error "missing model folder" 1 "$cli" generate --model /nonexistent --ids
check_error "missing --model" 64 "$cli" generate --ids
check_error "bad id" 1 bash -c "echo '5 x' | '$cli' generate --model '$models/bart-gelu-tied' --ids"
check_error "id out of range" 1 bash -c "echo '5 99999' | '$cli' generate --model '$models/bart-gelu-tied' --ids"
check_error "unknown subcommand" 64 "$cli" frobnicate

[ "$failures" -eq 0 ] && echo "CLI: all passed" || echo "CLI: $failures failed"
exit "$failures"
