#!/usr/bin/env bash
# Installs liblmcore.so, lmcore.h (and lmcore.hpp), lmcore.pc and the CMake package config
# under PREFIX (default /usr/local), building the release library first if needed.
#   PREFIX=$HOME/.local bash bindings/c/install.sh
# Then: cc app.c $(pkg-config --cflags --libs lmcore)   (PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig)
#   or: find_package(lmcore REQUIRED) / target_link_libraries(app lmcore::lmcore)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
prefix="${PREFIX:-/usr/local}"
lib="${LMCORE_BUILD_DIR:-$root/.build/release}/liblmcore.so"
if [ ! -f "$lib" ]; then
    bash "$root/scripts/setup.sh"
    (cd "$root" && PATH="/opt/swift/usr/bin:$PATH" swift build -c release --product lmcore >&2)
fi
header="$root/include/lmcore.h"
major=$(awk '/#define LMCORE_VERSION_MAJOR/ {print $3}' "$header")
minor=$(awk '/#define LMCORE_VERSION_MINOR/ {print $3}' "$header")
patch=$(awk '/#define LMCORE_VERSION_PATCH/ {print $3}' "$header")
version="$major.$minor.$patch"

install -d "$prefix/lib/pkgconfig" "$prefix/include" "$prefix/lib/cmake/lmcore"
# Versioned file, SONAME link (what programs load: liblmcore.so.0) and development link (-llmcore).
install -m 0755 "$lib" "$prefix/lib/liblmcore.so.$version"
ln -sf "liblmcore.so.$version" "$prefix/lib/liblmcore.so.0"
ln -sf liblmcore.so.0 "$prefix/lib/liblmcore.so"
install -m 0644 "$header" "$here/lmcore.hpp" "$prefix/include/"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" "$here/lmcore.pc.in" > "$prefix/lib/pkgconfig/lmcore.pc"
for f in lmcoreConfig lmcoreConfigVersion; do
    sed -e "s|@VERSION@|$version|g" -e "s|@MAJOR@|$major|g" "$here/cmake/$f.cmake.in" > "$prefix/lib/cmake/lmcore/$f.cmake"
done
echo "installed lmcore $version under $prefix"
