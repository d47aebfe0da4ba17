#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz (docs/RELIABILITY.md "Fuzzing").
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 seconds, every target)
#
# Installs clang and libFuzzer if missing (install-deps.sh --fuzz), configures and builds the `fuzz` preset
# (clang, ASan + UBSan), then runs the targets one after the other, each for SECONDS_PER_TARGET, on a
# scratch copy of its seed corpus (tests/fuzz/corpus/<name> is only read; the regressions are read too).
# Work goes to build/fuzz/runs/<name>/: corpus/ (the grown scratch corpus), artifacts/ (crash-*, leak-*,
# timeout-*, oom-* inputs), log. Prints a table: target, executions, exec/s, corpus size, crashes; exits 1
# when a target found something, with the steps that turn the input into a regression test.
#
# Environment: FUZZ_JOBS (build parallelism, default nproc), FUZZ_BUILD_LOCK (a file to flock around the
# build, for shared machines), FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(normalize csv codec oprf server set)
seconds=60
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  if [[ ! " ${all_targets[*]} " =~ " $t " ]]; then
    echo "fuzz.sh: unknown target '$t' (targets: ${all_targets[*]})" >&2
    exit 2
  fi
done

scripts/install-deps.sh --fuzz
build=(cmake --build --preset fuzz -j "${FUZZ_JOBS:-$(nproc)}")
cmake --preset fuzz >/dev/null
if [ -n "${FUZZ_BUILD_LOCK:-}" ]; then
  flock "$FUZZ_BUILD_LOCK" "${build[@]}"
else
  "${build[@]}"
fi

runs=build/fuzz/runs
mkdir -p "$runs"
results=()
found=()
for t in "${targets[@]}"; do
  dir=$runs/$t
  rm -rf "$dir/corpus"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -R "tests/fuzz/corpus/$t/." "$dir/corpus/"
  before=$(find "$dir/artifacts" -type f | wc -l)
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=("-dict=tests/fuzz/$t.dict")
  echo "== fuzz_$t: ${seconds}s"
  set +e
  # The server target binds loopback ports and runs its own threads; timeouts are per input.
  "build/fuzz/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=30 \
    -rss_limit_mb=4096 -artifact_prefix="$dir/artifacts/" "${dict[@]}" ${FUZZ_ARGS:-} \
    "$dir/corpus" "tests/fuzz/regressions/$t" >"$dir/log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  size=$(find "$dir/corpus" -type f | wc -l)
  crashes=$(( $(find "$dir/artifacts" -type f | wc -l) - before ))
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes="rc=$rc"; fi
  results+=("$(printf '%-10s %12s %8s %8s %8s' "$t" "${execs:--}" "${rate:--}" "$size" "$crashes")")
  if [ "$rc" -ne 0 ] || [ "$crashes" != 0 ]; then
    found+=("$t")
    tail -n 40 "$dir/log" | grep -v '^stat::' >&2 || true
  fi
done

echo
printf '%-10s %12s %8s %8s %8s\n' target executions exec/s corpus crashes
for r in "${results[@]}"; do echo "$r"; done
if [ ${#found[@]} -gt 0 ]; then
  cat >&2 <<EOF

fuzz.sh: findings in: ${found[*]} (logs: $runs/<target>/log, inputs: $runs/<target>/artifacts/).
To keep one as a regression test (replayed by ctest as fuzz.<target> in every preset):
  cp $runs/<target>/artifacts/<crash-file> tests/fuzz/regressions/<target>/<short-description>
  build/fuzz/tests/fuzz/fuzz_<target> tests/fuzz/regressions/<target>/<short-description>   # reproduce
  fix the code, then: ctest --preset release -R 'fuzz\.<target>' and ctest --preset asan -R 'fuzz\.<target>'
EOF
  exit 1
fi
