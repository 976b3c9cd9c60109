#!/usr/bin/env bash
# One release build of everything: liblmcore.so, lmcore-cli and the Swift test bundle.
# Prints the build folder (.build/release).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --build-tests >&2
swift build -c release --show-bin-path
