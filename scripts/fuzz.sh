#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan) in build-fuzz/ and runs each
# for SECONDS (default 20): first over its regression inputs (fuzz/regressions/<target>/, every
# crash found so far), then fuzzing from the seeds in fuzz/corpus/<target>/. A crash stops the
# run with the input saved in build-fuzz/crashes/<target>/; copy it to fuzz/regressions/<target>/
# once fixed. `make test` runs this briefly, `make fuzz` for 10 minutes per target.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
build="${FUZZ_BUILD_DIR:-build-fuzz}"
targets=(json_ingest csv_import target)

if [ ! -f "$build/build.ninja" ]; then
  CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOHORT_FUZZ=ON >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/%/_fuzz}"

for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  crashes="$build/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  regressions=(fuzz/regressions/"$t"/*)
  if [ -e "${regressions[0]}" ]; then
    echo "fuzz: $t: ${#regressions[@]} regression inputs"
    "$build/fuzz/${t}_fuzz" -rss_limit_mb=2048 -timeout=10 "${regressions[@]}" >"$build/$t.regressions.log" 2>&1 ||
      { tail -40 "$build/$t.regressions.log"; echo "fuzz: $t: a regression input fails" >&2; exit 1; }
  fi
  echo "fuzz: $t for ${seconds}s"
  if ! "$build/fuzz/${t}_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/" \
      "$corpus" "fuzz/corpus/$t" >"$build/$t.log" 2>&1; then
    tail -40 "$build/$t.log"
    echo "fuzz: $t: crash; the input is in $crashes/" >&2
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/$t.log" | sed "s/^/fuzz: $t: /"
done
