#!/usr/bin/env bash
# The wheel of scripts/wheel.sh as a user gets it: built into a temporary folder, tag checked
# (py3-none-manylinux_*_x86_64), installed into a fresh venv of the system Python in an empty
# environment, and run with the system's own OpenBLAS, Oniguruma, libgfortran and libquadmath
# replaced by empty files (a private mount namespace; skipped with a note where unshare is not
# allowed). Checks the translation of the default model, that ldd and /proc/self/maps show the
# bundled copies, and the CPU check's message. Usage: Tests/Wheel/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
model="$root/models/numbers-7lang"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
failures=0
ok() { echo "  ok  $1"; }
fail() { echo "  FAIL $1"; failures=$((failures + 1)); }

echo "wheel: scripts/wheel.sh"
if ! wheel="$(bash "$root/scripts/wheel.sh" "$work/dist" 2> "$work/wheel.log")"; then
    cat "$work/wheel.log"; echo "wheel: scripts/wheel.sh failed"; exit 1
fi
sed 's/^/      /' "$work/wheel.log"
name="$(basename "$wheel")"
if [[ "$name" =~ ^lmcore-[^-]+-py3-none-manylinux_[0-9]+_[0-9]+_x86_64\.whl$ ]]; then ok "tag: $name"; else fail "tag: $name"; fi
tags="$(python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(" ".join(l.split(": ", 1)[1] for n in z.namelist() if n.endswith(".dist-info/WHEEL")
               for l in z.read(n).decode().splitlines() if l.startswith("Tag: ")))' "$wheel")"
if [[ "$tags" =~ ^py3-none-manylinux_[0-9]+_[0-9]+_x86_64$ ]]; then ok "WHEEL Tag: $tags"; else fail "WHEEL Tag: '$tags'"; fi

# The system's copies of what the wheel bundles; in the namespace each becomes an empty file.
hidden=()
for soname in libopenblas.so.0 libonig.so.5 libgfortran.so.5 libquadmath.so.0; do
    # awk reads all of ldconfig's output (an early exit made ldconfig die of SIGPIPE under pipefail).
    path="$(ldconfig -p | awk -v n="$soname" '$1 == n && /x86-64/ && !found {print $NF; found = 1}')"
    [ -n "$path" ] && hidden+=("$(readlink -f "$path")")
done
: > "$work/empty"
unshare_cmd=()
for candidate in "unshare --mount" "unshare --map-root-user --mount"; do
    # shellcheck disable=SC2086
    if $candidate mount --bind "$work/empty" "$work/empty" 2>/dev/null; then read -ra unshare_cmd <<< "$candidate"; break; fi
done
# Runs "$@" with only PATH and HOME set, the system libraries above hidden where possible.
isolated() {
    if [ ${#unshare_cmd[@]} -gt 0 ]; then
        # shellcheck disable=SC2016  # the inner script's own variables
        "${unshare_cmd[@]}" bash -c 'home=$1 empty=$2 n=$3; shift 3
            for f in "${@:1:$n}"; do mount --bind "$empty" "$f"; done; shift "$n"
            exec env -i PATH=/usr/bin:/bin HOME="$home" "$@"' _ "$work" "$work/empty" "${#hidden[@]}" "${hidden[@]}" "$@"
    else
        env -i PATH=/usr/bin:/bin HOME="$work" "$@"
    fi
}
if [ ${#unshare_cmd[@]} -gt 0 ]; then
    if isolated python3 -c 'import ctypes, sys
for n in sys.argv[1:]:
    try: ctypes.CDLL(n)
    except OSError: continue
    sys.exit(n + " still loads")' libopenblas.so.0 libonig.so.5 libgfortran.so.5; then
        ok "system copies hidden (${unshare_cmd[*]}): ${hidden[*]}"
    else fail "system copies still load in the namespace"; fi
else
    echo "  note: unshare not allowed here; the system's libraries stay visible (maps and ldd checks still apply)"
fi

cd "$work"
env -i PATH=/usr/bin:/bin HOME="$work" python3 -m venv "$work/venv"
env -i PATH=/usr/bin:/bin HOME="$work" "$work/venv/bin/pip" install -q --disable-pip-version-check --no-index "$wheel"
installed="$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')/lmcore"

ldd_out="$(isolated ldd "$installed/liblmcore.so" "$installed/libopenblas.so.0")"
# auditwheel renamed the grafted libraries (libonig-<hash>.so.5.3.0, ...) and the DT_NEEDED entries.
for lib in libonig libgfortran libquadmath; do
    lines="$(echo "$ldd_out" | grep -E "^\s*${lib}[-.]" || true)"
    if [ -n "$lines" ] && ! echo "$lines" | grep -v -q -F "=> $work/venv/"; then
        ok "ldd: $(echo "$lines" | sed -n 1p | awk '{print $1, $2, $3}' | sed "s|$work/venv/||")"
    else fail "ldd: $lib not resolved to the bundled copy: $(echo "${lines:-none}" | tr '\n' ' ')"; fi
done
if echo "$ldd_out" | grep -q 'not found'; then fail "ldd: $(echo "$ldd_out" | grep 'not found' | tr '\n' ' ')"; fi

cat > "$work/check.py" <<'EOF'
import ctypes, os, sys
import lmcore
prefix = os.path.realpath(sys.prefix) + "/"
model = lmcore.Model(sys.argv[1])
print("text", model.translate([">>fr<< 4213"], beam_size=4)[0][0].text)
print("library", os.path.realpath(lmcore.LIBRARY_PATH))
blas = ctypes.CDLL("libopenblas.so.0")  # the copy liblmcore.so opened (same soname)
blas.openblas_get_corename.restype = ctypes.c_char_p
print("corename", blas.openblas_get_corename().decode())
with open("/proc/self/maps") as f:
    paths = sorted({fields[5].strip() for fields in (line.split(None, 5) for line in f) if len(fields) == 6})
for path in paths:
    if os.path.basename(path).startswith(("liblmcore", "libopenblas", "libonig", "libgfortran", "libquadmath")):
        print("mapped", "bundled" if path.startswith(prefix) else "SYSTEM", path)
EOF
out="$(isolated "$work/venv/bin/python" "$work/check.py" "$model" 2>&1)" || { echo "$out"; fail "check.py failed"; }
text="$(echo "$out" | sed -n 's/^text //p')"
if [ "$text" = "quatre mille deux cent treize" ]; then ok "translate '>>fr<< 4213' -> '$text'"; else fail "translate: '$text'"; fi
echo "      OpenBLAS core: $(echo "$out" | sed -n 's/^corename //p') (OPENBLAS_CORETYPE as BLAS.swift set it)"
for lib in liblmcore libopenblas libonig libgfortran libquadmath; do
    mapped="$(echo "$out" | grep -E "^mapped [a-zA-Z]+ .*/${lib}[-.]" || true)"
    if [ -n "$mapped" ] && ! echo "$mapped" | grep -q '^mapped SYSTEM'; then
        ok "/proc/self/maps: $(echo "$mapped" | sed -n 1p | awk '{print $3}' | sed "s|$work/venv/||")"
    else fail "/proc/self/maps: $lib: ${mapped:-not loaded}"; fi
done

# The CPU check of the installed package (lmcore/_library.py), on a CPU without x86-64-v3.
printf 'processor\t: 0\nmodel name\t: Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz\nflags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 popcnt avx\n' > "$work/cpuinfo"
status=0
isolated env LMCORE_CPUINFO="$work/cpuinfo" "$work/venv/bin/python" -c 'import lmcore' 2> "$work/cpu.err" || status=$?
if [ "$status" -eq 1 ] && grep -q 'ImportError: lmcore needs an x86-64 CPU with AVX2, FMA and F16C (x86-64-v3); this CPU (Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz) has no AVX2, FMA, F16C, BMI1, BMI2, LZCNT, MOVBE' "$work/cpu.err"; then
    ok "CPU check: ImportError on a CPU without AVX2"
else fail "CPU check: status $status: $(tail -1 "$work/cpu.err")"; fi

[ "$failures" -eq 0 ] && echo "wheel: all passed in $(( $(date +%s) - start )) s" || echo "wheel: $failures failed"
exit "$failures"
