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
# --compute-type: the type in effect is shown (float32 only where the packed kernels cannot run); a bad name is refused.
if "$cli" inspect --model "$models/bart-gelu-tied" --compute-type int8_float32 | grep -q -E "^compute type: (int8_float32|float32) "; then
    echo "  ok  inspect --compute-type"; else echo "  FAIL inspect --compute-type"; failures=$((failures + 1)); fi
if ! "$cli" inspect --model "$models/bart-gelu-tied" --compute-type int4 >/dev/null 2>&1; then
    echo "  ok  --compute-type int4 refused"; else echo "  FAIL --compute-type int4 accepted"; failures=$((failures + 1)); fi

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

echo "CLI: every subcommand against the HF goldens (generate options, tokenize, detokenize, translate, score, embed)"
if python3 "$here/golden_cases.py" "$1"; then :; else failures=$((failures + 1)); fi

echo "CLI: translate -i/-o files equal stdin/stdout"
default_model="$root/models/numbers-7lang"
"$cli" translate --model "$default_model" -i "$default_model/samples.txt" -o /tmp/lmcore-cli-translate-o.txt
"$cli" translate --model "$default_model" < "$default_model/samples.txt" > /tmp/lmcore-cli-translate-stdout.txt
expect_same "translate -i/-o" /tmp/lmcore-cli-translate-o.txt /tmp/lmcore-cli-translate-stdout.txt

echo "CLI: convert --quantize int8 gives a file of int8 weights that translates as --compute-type int8 does"
rm -rf /tmp/lmcore-cli-int8
"$cli" convert --model "$default_model" --out /tmp/lmcore-cli-int8 --quantize int8 > /dev/null
tail -n +2 "$default_model/eval/heldout.tsv" | head -n 400 | cut -f3 > /tmp/lmcore-cli-int8.in
"$cli" translate --model "$default_model" --compute-type int8 < /tmp/lmcore-cli-int8.in > /tmp/lmcore-cli-int8-original.txt
"$cli" translate --model /tmp/lmcore-cli-int8 --compute-type int8 < /tmp/lmcore-cli-int8.in > /tmp/lmcore-cli-int8-converted.txt
expect_same "int8 file vs int8 load of the float16 original" /tmp/lmcore-cli-int8-converted.txt /tmp/lmcore-cli-int8-original.txt
# The bundled model is stored as float16; its int8 file must be close to half of it (scales and the
# float16 norms and biases, widened to float32, come on top).
original_bytes=$(stat -c %s "$default_model/model.safetensors"); int8_bytes=$(stat -c %s /tmp/lmcore-cli-int8/model.safetensors)
if [ $((int8_bytes * 100)) -le $((original_bytes * 55)) ]; then echo "  ok  int8 file is $int8_bytes bytes (float16: $original_bytes)"
else echo "  FAIL int8 file is $int8_bytes bytes (float16: $original_bytes)"; failures=$((failures + 1)); fi
if "$cli" inspect --model /tmp/lmcore-cli-int8 | grep -q "I8"; then echo "  ok  inspect shows the I8 tensors"
else echo "  FAIL inspect does not show I8 tensors"; failures=$((failures + 1)); fi

echo "CLI: file jobs isolate a failing line; target language; batching"
# Line 3 is too long once truncation is off: it is reported with its line number, the others are
# translated, and the exit status is 1 (0 with --skip-errors).
{ head -2 "$default_model/samples.txt"; printf '>>de<< %0300d\n' 1; sed -n 3p "$default_model/samples.txt"; } > /tmp/lmcore-cli-iso.in
{ head -2 "$default_model/samples.txt"; sed -n 3p "$default_model/samples.txt"; } > /tmp/lmcore-cli-iso-good.in
"$cli" translate --model "$default_model" -i /tmp/lmcore-cli-iso-good.in > /tmp/lmcore-cli-iso-good.txt
{ head -2 /tmp/lmcore-cli-iso-good.txt; echo; sed -n 3p /tmp/lmcore-cli-iso-good.txt; } > /tmp/lmcore-cli-iso-want.txt
if "$cli" translate --model "$default_model" -i /tmp/lmcore-cli-iso.in --max-input-length 0 \
    > /tmp/lmcore-cli-iso.txt 2>/tmp/lmcore-cli-iso.err; then
    echo "  FAIL a failed line gives exit 0"; failures=$((failures + 1)); fi
expect_same "translate isolates a failing line" /tmp/lmcore-cli-iso.txt /tmp/lmcore-cli-iso-want.txt
if grep -q "^lmcore-cli: line 3: " /tmp/lmcore-cli-iso.err; then echo "  ok  the error names file line 3"; else
    echo "  FAIL the error does not name line 3:"; cat /tmp/lmcore-cli-iso.err; failures=$((failures + 1)); fi
if "$cli" translate --model "$default_model" -i /tmp/lmcore-cli-iso.in --max-input-length 0 --skip-errors \
    >/dev/null 2>&1; then echo "  ok  --skip-errors exits 0"; else echo "  FAIL --skip-errors"; failures=$((failures + 1)); fi
# --target-lang fr on untagged numbers equals the >>fr<<-tagged input; batching changes nothing.
sed -n 's/^>>fr<< //p' "$default_model/samples.txt" > /tmp/lmcore-cli-fr-untagged.in
grep '^>>fr<< ' "$default_model/samples.txt" > /tmp/lmcore-cli-fr-tagged.in
"$cli" translate --model "$default_model" --target-lang fr < /tmp/lmcore-cli-fr-untagged.in > /tmp/lmcore-cli-fr-1.txt
"$cli" translate --model "$default_model" < /tmp/lmcore-cli-fr-tagged.in > /tmp/lmcore-cli-fr-2.txt
expect_same "--target-lang fr" /tmp/lmcore-cli-fr-1.txt /tmp/lmcore-cli-fr-2.txt
"$cli" translate --model "$default_model" --batch-size 12 --batch-type tokens < "$default_model/samples.txt" > /tmp/lmcore-cli-tok.txt
expect_same "--batch-type tokens" /tmp/lmcore-cli-tok.txt /tmp/lmcore-cli-translate-stdout.txt
"$cli" translate --model "$default_model" --batch-size 1 < "$default_model/samples.txt" > /tmp/lmcore-cli-b1.txt
expect_same "--batch-size 1 (line by line)" /tmp/lmcore-cli-b1.txt /tmp/lmcore-cli-translate-stdout.txt
"$cli" translate --model "$default_model" --batch-size 1 --stream < "$default_model/samples.txt" > /tmp/lmcore-cli-stream.txt
expect_same "--stream (pieces as they are generated)" /tmp/lmcore-cli-stream.txt /tmp/lmcore-cli-translate-stdout.txt

echo "CLI: --json on generate, score and embed (scores on greedy results too)"
json_ok=1
echo ">>fr<< 12" | "$cli" generate --model "$default_model" --json --beams 1 | python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); h=o["hypotheses"][0]; assert o["input"]==">>fr<< 12" and h["text"]=="douze" and h["score"]<0' || json_ok=0
printf '>>fr<< 12\tdouze\n' | "$cli" score --model "$default_model" --json | python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); assert o["target"]=="douze" and abs(sum(o["token_scores"])-o["score"])<1e-4' || json_ok=0
echo ">>fr<< 1" | "$cli" embed --model "$default_model" --json | python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); assert len(o["vector"])==192' || json_ok=0
echo ">>fr<< 12" | "$cli" translate --model "$default_model" --json --beams 1 | python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); assert o["translations"][0]["score"]<0' || json_ok=0
if [ "$json_ok" = 1 ]; then echo "  ok  --json"; else echo "  FAIL --json"; failures=$((failures + 1)); fi

echo "CLI: LMCORE_LOG"
log_err=$(echo ">>fr<< 1" | LMCORE_LOG=info "$cli" translate --model "$default_model" 2>&1 >/dev/null)
quiet_err=$(echo ">>fr<< 1" | "$cli" translate --model "$default_model" 2>&1 >/dev/null)
if grep -q "^lmcore: info: loaded .*numbers-7lang: marian" <<< "$log_err" && [ -z "$quiet_err" ]; then
    echo "  ok  LMCORE_LOG=info reports the load; the default (warning) is silent"
else echo "  FAIL LMCORE_LOG: '$log_err' / '$quiet_err'"; failures=$((failures + 1)); fi

echo "CLI: sampling is reproducible for a seed, across runs and thread counts"
sample_args=(generate --model "$default_model" --sample --temperature 1.5 --top-k 20 --top-p 0.95 --seed 7 --beams 1)
"$cli" "${sample_args[@]}" --threads 1 < "$default_model/samples.txt" > /tmp/lmcore-cli-sample-1.txt
"$cli" "${sample_args[@]}" --threads 2 < "$default_model/samples.txt" > /tmp/lmcore-cli-sample-2.txt
expect_same "sample --seed 7 (1 vs 2 threads)" /tmp/lmcore-cli-sample-2.txt /tmp/lmcore-cli-sample-1.txt

# Under an address-space cap (ulimit -v) the decoder cache reserves only what it uses and grows
# by moving (GrowablePool); the beams must come out the same.
"$cli" translate --model "$default_model" --beams 4 < "$default_model/samples.txt" > /tmp/lmcore-cli-beam4.txt
(ulimit -v 1000000; "$cli" translate --model "$default_model" --beams 4 < "$default_model/samples.txt" \
    > /tmp/lmcore-cli-beam4-capped.txt 2>/dev/null) || true
expect_same "translate --beams 4 under ulimit -v 1000000 (decoder cache grows by moving)" \
    /tmp/lmcore-cli-beam4-capped.txt /tmp/lmcore-cli-beam4.txt

echo "CLI: bench runs and reports"
bench_out=$("$cli" bench --model "$default_model" --batch-size 4 --new-tokens 8 --beams 2 --runs 1)
if grep -q "^tokens/s: best" <<<"$bench_out" \
    && grep -qE "^run 1: .*, 8 decoder steps .* search [0-9.]+ s \([0-9.]+% of decoding\)$" <<<"$bench_out" \
    && grep -qE "^search bookkeeping: median [0-9.]+% of decoding" <<<"$bench_out"; then
    echo "  ok  bench"; else echo "  FAIL bench"; failures=$((failures + 1)); fi

echo "CLI: --help on every subcommand"
for sub in translate generate score embed tokenize detokenize inspect convert bench evaluate; do
    # The whole help first: grep -q stopping early would SIGPIPE a long help under pipefail.
    help_text="$("$cli" "$sub" --help)"
    if grep -q "^USAGE: lmcore-cli $sub" <<< "$help_text"; then :; else
        echo "  FAIL $sub --help"; failures=$((failures + 1)); fi
done
echo "  ok  --help"

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
check_error "unknown target language" 1 bash -c "echo 4213 | '$cli' translate --model '$root/models/numbers-7lang' --target-lang xx"
check_error "bad --batch-type" 64 "$cli" translate --model "$root/models/numbers-7lang" --batch-type lines
check_error "convert into an existing folder without --force" 1 "$cli" convert --model "$models/bart-gelu-tied" --out /tmp
check_error "convert --quantize int4" 1 "$cli" convert --model "$models/bart-gelu-tied" --out /tmp/lmcore-cli-int4 --quantize int4
check_error "convert --quantize int8 of a recurrent model" 1 "$cli" convert --model "$models/rnn-gru-bahdanau-bi" --out /tmp/lmcore-cli-rnn-int8 --force --quantize int8
check_error "missing tokenizer file" 1 "$cli" tokenize --tokenizer /nonexistent/tokenizer.json
check_error "not a model folder" 1 "$cli" translate --model "$root/Tests/Fixtures/corpus"
check_error "bad score line" 1 bash -c "echo 'no tab here' | '$cli' score --model '$default_model'"
check_error "bad --beams" 64 "$cli" translate --model "$default_model" --beams 0
for sub in translate generate score embed bench; do
    check_error "$sub --threads -1" 64 "$cli" "$sub" --model "$default_model" --threads -1
done

echo "CLI: peak memory against input size (tokenize grows in proportion, translate truncates from prefixes)"
python3 "$here/memory_limits.py" "$cli" "$default_model" || failures=$((failures + 1))

[ "$failures" -eq 0 ] && echo "CLI: all passed" || echo "CLI: $failures failed"
exit "$failures"
