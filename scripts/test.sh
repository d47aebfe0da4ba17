#!/usr/bin/env bash
# Runs every test: installs what is missing, then for each preset builds it and runs CTest (unit and
# end-to-end tests). By default the release build, then the same suite under AddressSanitizer +
# UndefinedBehaviorSanitizer (the `asan` preset). Usage: scripts/test.sh [preset ...]
set -euo pipefail
cd "$(dirname "$0")/.."
presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(release asan)
scripts/install-deps.sh
for preset in "${presets[@]}"; do
  echo "== $preset: build"
  scripts/build.sh "$preset"
  echo "== $preset: tests"
  ctest --preset "$preset" -j "$(nproc)"
done
