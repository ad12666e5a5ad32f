#!/usr/bin/env bash
# After a failed ctest run: the first failure of each failed test, in a few lines, printed last
# so that a log shown only by its tail (CI's) still says what failed and why.
#   scripts/failed-tests.sh BUILD_DIR
set -u
dir=${1:?usage: failed-tests.sh BUILD_DIR}
log="$dir/Testing/Temporary/LastTest.log"
failed="$dir/Testing/Temporary/LastTestsFailed.log"
[ -f "$failed" ] || exit 0
echo "== why each test failed (the first lines of its failure; the whole output is above) =="
while IFS=: read -r _ name; do
  # The test's section of LastTest.log: from "N/M Testing: name" to its "end time" line.
  section=$(awk -v t="$name" '
    $0 ~ "^[0-9]+/[0-9]+ Testing: " && $3 == t { on = 1 }
    on { print }
    on && $0 ~ "^\"" t "\" end time" { exit }' "$log")
  why=$(printf '%s\n' "$section" | grep -m 3 -A 2 -E '^FAIL|Failure$|\[  FAILED  \]|ERROR|Assertion|Sanitizer|Timeout|Killed' | cut -c1-300)
  [ -n "$why" ] || why=$(printf '%s\n' "$section" | grep -v -E '^(Test |"|-{10})' | tail -n 6 | cut -c1-300)
  echo "-- $name:"
  printf '%s\n' "$why"
done < "$failed"
