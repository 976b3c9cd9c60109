#!/usr/bin/env bash
# Every function include/lmcore.h declares is called by bindings/c/lmcore.hpp (the C++ wrapper
# covers the whole C API).
set -euo pipefail
header="$1" hpp="$2"
declared=$(gcc -E -P -I"$(dirname "$header")" -x c "$header" | grep -oE '\blmcore_[a-z_]+ *\(' | tr -d '( ' | sort -u)
missing=""
for f in $declared; do
    grep -qE "\b$f\(" "$hpp" || missing="$missing $f"
done
if [ -n "$missing" ]; then echo "lmcore.hpp does not wrap:$missing"; exit 1; fi
echo "lmcore.hpp wraps all $(echo "$declared" | wc -l) functions of lmcore.h"
