#!/usr/bin/env bash
# Builds the Debian package vigie_VERSION-1_ARCH.deb with CPack (packaging/CMakeLists.txt): the five
# programs in /usr/bin, their man pages, the guides, the vigie-serve systemd unit and /etc/default/vigie-serve.
# The last line of output is the path of the .deb, so that `deb=$(scripts/package.sh | tail -n 1)` works.
#
#   scripts/package.sh                     install what is missing, build what the package holds (release
#                                          preset: the programs and their man pages, not the tests), package it
#   scripts/package.sh --build-dir DIR     package DIR as it is built (no install, no build: what the test
#                                          e2e.package does on the tree CI has just built)
#   ... --out DIR                          write the .deb (and CPack's staging folder) to DIR, not the build folder
#
# Install it with `apt install ./vigie_*.deb` (docs/OPERATOR-GUIDE.md, "Install and run as a service").
set -euo pipefail
cd "$(dirname "$0")/.."

build=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "package.sh: unknown argument '$1' (see the comment at the top of scripts/package.sh)" >&2; exit 2 ;;
  esac
done

if [ -z "$build" ]; then
  # Their output goes to stderr: stdout is the path alone.
  scripts/install-deps.sh >&2
  cmake --preset release >&2
  cmake --build --preset release -j "$(nproc)" --target vigie_package_files >&2
  build=build/release
fi
build="$(cd "$build" && pwd)"
[ -f "$build/CPackConfig.cmake" ] || { echo "package.sh: $build is not a configured Vigie build folder" >&2; exit 2; }
out="${out:-$build}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# The package is whatever `cmake --install` puts down (binaries, man pages made at build time, docs, unit),
# stripped; cpack builds nothing itself, so a tree that is not built fails here on the first missing file.
log="$out/cpack.log"
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$log" 2>&1; then
  cat "$log" >&2
  echo "package.sh: cpack failed (log: $log)" >&2
  exit 1
fi
deb=$(sed -n 's/^CPack: - package: \(.*\.deb\) generated\.$/\1/p' "$log" | tail -n 1)
[ -n "$deb" ] && [ -f "$deb" ] || { cat "$log" >&2; echo "package.sh: no .deb in cpack's output" >&2; exit 1; }
echo "$deb"
