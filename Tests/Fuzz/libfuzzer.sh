#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of every file parser and the tokenizers.
#   Tests/Fuzz/libfuzzer.sh [SECONDS] [TARGET...]      (default: 5 s each, every target)
# Builds Tests/Fuzz/libfuzzer into .build-fuzz: lmcore-fuzz (file and tokenizer harnesses, chosen by
# LMCORE_FUZZ_TARGET) and lmcore-fuzz-capi (target capi: C-ABI call sequences on liblmcore.so). It
# replays the committed regression inputs (Tests/Fuzz/regressions/TARGET/), then fuzzes each target
# for SECONDS from seeds taken from the repository's fixtures, with a dictionary where one helps.
# A crash, ASan report, leak, >10 s input (LMCORE_FUZZ_TIMEOUT: raise it when more runs than cores
# share the machine, since libFuzzer's limit is wall-clock time) or >2 GB RSS fails the script and leaves the input in
# .build-fuzz/findings/TARGET/ (LMCORE_FUZZ_SCRATCH moves .build-fuzz). Prints executions and
# coverage per target.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="${LMCORE_SHARED:-$(cd "$root/.." && pwd)/shared}"
export PATH="/opt/swift/usr/bin:$PATH"
seconds="${1:-5}"; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors torch-bin npz config generation-config tokenizer-json sentencepiece
                                     marian-vocab encode decode capi)
scratch="${LMCORE_FUZZ_SCRATCH:-$root/.build-fuzz}"   # a second scratch lets a long run go on while harnesses are edited
# LMCORE_SANITIZER_BUILD: liblmcore.so (the capi harness's) links without -z defs, since the
# sanitizer runtime it calls comes with the fuzzer binary that loads it.
LMCORE_SANITIZER_BUILD=1 swift build -c release --package-path "$here/libfuzzer" --scratch-path "$scratch" \
    --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address >&2
ln -sf liblmcore.so "$scratch/release/liblmcore.so.0"   # its soname, found through the binary's $ORIGIN rpath
binary_for() { # target -> the binary that runs it
    case "$1" in
        capi) echo "$scratch/release/lmcore-fuzz-capi" ;;
        *) echo "$scratch/release/lmcore-fuzz" ;;
    esac
}
fixtures="$root/Tests/Fixtures/models"

seed() { # target -> corpus folder seeded from fixtures and committed seeds
    local t="$1" corpus="$scratch/corpus/$1"
    mkdir -p "$corpus"
    case "$t" in
        safetensors) cp "$fixtures/marian-swish-tied/model.safetensors" "$corpus/seed-fixture" ;;
        torch-bin) cp "$fixtures/rnn-gru-bahdanau-bi/pytorch_model.bin" "$corpus/seed-fixture" ;;
        npz) cp "$fixtures/rnn-lstm-none-npz/model.npz" "$corpus/seed-fixture" ;;
        config) for f in "$fixtures"/*/config.json; do cp "$f" "$corpus/seed-$(basename "$(dirname "$f")")"; done ;;
        generation-config) for f in "$fixtures"/*/generation_config.json "$root"/models/*/generation_config.json; do
                               cp "$f" "$corpus/seed-$(basename "$(dirname "$f")")"; done ;;
        tokenizer-json) cp "$root/models/numbers-7lang/tokenizer.json" "$corpus/seed-numbers"
                        cp "$root/models/numbers-7lang-gru/tokenizer.json" "$corpus/seed-numbers-gru" ;;
        sentencepiece) cp "$shared/testdata/marian-spm/opus-mt-en-mg/source.spm" "$corpus/seed-source-spm" ;;
        marian-vocab) cp "$root/Tests/Fixtures/sentencepiece/marian-joint-codes/vocab.json" "$corpus/seed-marian-joint-codes"
                      python3 -c "import json,sys; v=json.load(open(sys.argv[1])); json.dump(dict(list(v.items())[:300]), open(sys.argv[2],'w'))" \
                          "$shared/testdata/marian-spm/opus-mt-en-mg/vocab.json" "$corpus/seed-vocab300" ;;
        encode) head -n 51 "$root/models/numbers-7lang/eval/heldout.tsv" | tail -n 50 | cut -f3-4 | split -l 10 - "$corpus/seed-heldout-"
                printf 'Hello, world! ünïcödé 東京 😀 <s> </s> [CLS] ▁x' > "$corpus/seed-mixed" ;;
        decode) head -c 256 /dev/urandom > "$corpus/seed-random" ;;
        # Call programs (see CAPISequence/capi_sequence.c): translate "12" then read the result;
        # tokenize then detokenize; generate from ids with beam 4 on the recurrent model.
        capi) printf '\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00' > "$corpus/seed-translate"
              printf '\x07\x00\x01\x00\x10\x01\x00\x07\x01\x01\x03\x05\x07\x09\x40\x00' > "$corpus/seed-tokenize"
              printf '\x82\x01\x03\x04\x05\x06\x00\x10\x00\x00\x00\x04' > "$corpus/seed-generate" ;;
    esac
    if [ -d "$here/seeds/$t" ]; then cp "$here/seeds/$t"/* "$corpus/"; fi
    if [ -d "$here/regressions/$t" ]; then cp "$here/regressions/$t"/* "$corpus/" 2>/dev/null || true; fi
    echo "$corpus"
}

max_len_for() { # long enough for a fixture file, short where every byte costs a pass through 7 tokenizers
    case "$1" in
        encode|decode|capi) echo 4096 ;;
        config|generation-config|marian-vocab) echo 65536 ;;
        *) echo 262144 ;;
    esac
}

dict_for() {
    case "$1" in
        safetensors|config|generation-config|tokenizer-json|marian-vocab) echo "-dict=$here/dicts/json.dict" ;;
        torch-bin|npz) echo "-dict=$here/dicts/zip.dict" ;;
        *) echo "" ;;
    esac
}

status=0
printf '%-18s %10s %8s %8s %8s  %s\n' target execs cov ft corpus result
for t in "${targets[@]}"; do
    corpus="$(seed "$t")"
    findings="$scratch/findings/$t"; mkdir -p "$findings"
    log="$scratch/fuzz-$t.log"
    common=(-timeout="${LMCORE_FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len="$(max_len_for "$t")" -artifact_prefix="$findings/")
    # Committed regressions: each replayed once.
    if [ -d "$here/regressions/$t" ] && ls "$here/regressions/$t"/* >/dev/null 2>&1; then
        if ! LMCORE_FUZZ_TARGET="$t" LMCORE_ROOT="$root" LMCORE_SHARED="$shared" \
            LSAN_OPTIONS="suppressions=$here/lsan.supp" "$(binary_for "$t")" "${common[@]}" \
            "$here/regressions/$t"/* >"$log.regressions" 2>&1; then
            echo "$t: a committed regression input fails again (see $log.regressions)"; status=1
        fi
    fi
    result=ok
    # shellcheck disable=SC2046
    if ! LMCORE_FUZZ_TARGET="$t" LMCORE_ROOT="$root" LMCORE_SHARED="$shared" ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$here/lsan.supp" \
        "$(binary_for "$t")" "${common[@]}" $(dict_for "$t") -max_total_time="$seconds" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
        result="FINDING (see $log, input in $findings/)"; status=1
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || echo "?")
    line=$(grep -E '#[0-9]+[[:space:]]+(DONE|INITED|REDUCE|NEW|pulse)' "$log" | tail -1 || true)
    cov=$(echo "$line" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || echo "?")
    ft=$(echo "$line" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' || echo "?")
    corp=$(echo "$line" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*' || echo "?")
    printf '%-18s %10s %8s %8s %8s  %s\n' "$t" "$execs" "$cov" "$ft" "$corp" "$result"
done
exit $status
