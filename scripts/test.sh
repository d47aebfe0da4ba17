#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the release preset, and runs CTest (unit tests and
# end-to-end tests). Usage: scripts/test.sh [preset]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
scripts/install-deps.sh
scripts/build.sh "$preset"
ctest --preset "$preset" -j "$(nproc)"
