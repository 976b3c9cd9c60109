#!/usr/bin/env bash
# Every function declared in include/lmcore.h is exported by liblmcore.so, and the library
# exports nothing else. Usage: check_exports.sh HEADER LIBRARY
set -euo pipefail
header="$1" lib="$2"
declared=$(gcc -E -P -I"$(dirname "$header")" -x c "$header" | grep -oE '\blmcore_[a-z_]+ *\(' | tr -d '( ' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort -u)
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
extra=$(comm -13 <(echo "$declared") <(echo "$exported"))
status=0
if [ -n "$missing" ]; then echo "declared but not exported:"; echo "$missing"; status=1; fi
if [ -n "$extra" ]; then echo "exported but not declared in lmcore.h:"; echo "$extra"; status=1; fi
[ $status -eq 0 ] && echo "exports match lmcore.h ($(echo "$declared" | wc -l) functions)"
exit $status
