#!/usr/bin/env bash
# One release build of everything: liblmcore.so, lmcore-cli and the Swift test bundle.
# Prints the build folder (.build/release).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --build-tests >&2
bin="$(swift build -c release --show-bin-path)"
# The library's SONAME is liblmcore.so.0 (ABI major 0): programs linked against the build folder
# look for that name at run time.
ln -sf liblmcore.so "$bin/liblmcore.so.0"
echo "$bin"
