#!/usr/bin/env bash
# lmcore.spark on a local Spark (local[2]): installs Java (Debian's default-jre-headless) when no
# `java` is on PATH, and pyspark with pandas and pyarrow into the test venv, then runs pytest.
# Usage: Tests/Spark/run.sh BUILD_DIR VENV   (VENV has the lmcore package installed)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$(cd "$1" && pwd)"
python="$(cd "$2" && pwd)/bin/python"
if ! command -v java >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "spark tests: installing default-jre-headless" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq default-jre-headless >/dev/null
fi
# pandas 3 is not yet supported by pyspark 4.x (its own warning); pinned so CI is what was tested.
"$python" -m pip install -q --disable-pip-version-check pyspark==4.3.0 "pandas==2.3.3" pyarrow==26.0.1
export LMCORE_LIBRARY="$build/liblmcore.so"
(cd "$here" && "$python" -m pytest -q -p no:cacheprovider .)
