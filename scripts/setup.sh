#!/usr/bin/env bash
# Installs what lmcore needs to build on Debian: OpenBLAS, Oniguruma, pkg-config (and checks
# for the Swift toolchain). Idempotent: installs only what is missing.
set -euo pipefail

need=()
for pkg in libopenblas-dev libonig-dev pkg-config; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing ${need[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        echo "setup: add /opt/swift/usr/bin to PATH" >&2
    else
        echo "setup: Swift 6 toolchain not found (https://www.swift.org/install/linux/)" >&2
    fi
    exit 1
fi
