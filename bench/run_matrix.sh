#!/usr/bin/env bash
# Issue 14's table in one go (about 15 minutes on 2 cores; run on a quiet machine, nothing else busy):
# every lmcore compute type and the stored int8 file against CTranslate2 float32 and int8 and
# transformers, on the three shapes x batch {1, 32} x {greedy, beam 4}; then load time and peak RSS
# (bench/load_memory.py); then flan-t5-small greedy again with a busy loop on one core.
#   /opt/lmcore-ref/bin/python bench/make_models.py && swift build -c release   # once
#   bash bench/run_matrix.sh [OUT]            # OUT defaults to bench/work/results-matrix
#   /opt/lmcore-ref/bin/python bench/summarize.py --matrix OUT/[oft]*-n*.json
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
py=/opt/lmcore-ref/bin/python
out="${1:-bench/work/results-matrix}"; mkdir -p "$out"
grep -o -E 'avx512[a-z_]*|avx2|fma|amx[a-z_]*' /proc/cpuinfo | sort -u | tr '\n' ' ' > "$out/cpu-flags.txt"
echo "CPU flags: $(cat "$out/cpu-flags.txt")"
engines=lmcore,lmcore-float16,lmcore-int8-float32,lmcore-int8,lmcore-int8-file,hf,ct2,ct2-int8
for m in opus-mt-en-de t5-small flan-t5-small; do for n in 1 32; do for b in 1 4; do
  echo "== $m batch $n beams $b $(date +%T)"
  $py bench/bench_generate.py --model $m --batch $n --beams $b --reps 3 --pause 0.5 \
      --engines $engines --json "$out/$m-n$n-b$b.json" > "$out/$m-n$n-b$b.txt" 2>&1 || echo "  (exit $?)"
  grep -E "speed lmcore(-int8|-int8-file)?/ct2|checks" "$out/$m-n$n-b$b.txt"
done; done; done
for m in opus-mt-en-de t5-small flan-t5-small; do
  echo "== load and memory, $m $(date +%T)"
  $py bench/load_memory.py --model $m --reps 5 --json "$out/load-$m.json" > "$out/load-$m.txt" 2>&1
  tail -3 "$out/load-$m.txt"
done
echo "== one core busy $(date +%T)"
( while :; do :; done ) & busy=$!
trap 'kill $busy 2>/dev/null' EXIT
for n in 1 32; do
  $py bench/bench_generate.py --model flan-t5-small --batch $n --beams 1 --reps 3 --pause 0.5 \
      --engines lmcore,lmcore-int8,ct2,ct2-int8 --json "$out/busy-flan-n$n.json" > "$out/busy-flan-n$n.txt" 2>&1
  grep -E "speed lmcore(-int8)?/ct2" "$out/busy-flan-n$n.txt"
done
