#!/usr/bin/env bash
# Installs the Debian 12 packages Vigie needs to build, test and demo. Idempotent: installs only what is
# missing, as root with apt-get or through sudo.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config
  librocksdb-dev libxxhash-dev libcpp-httplib-dev libssl-dev doctest-dev
  libcli11-dev nlohmann-json3-dev libzstd-dev zlib1g-dev libfmt-dev libboost1.81-dev
  # leak dumps in archives and spreadsheets (issue 13)
  libarchive-dev libexpat1-dev
  # the Debian package (packaging/, scripts/package.sh): man pages made from --help, cpack's dpkg-shlibdeps
  help2man dpkg-dev
  # tests and demo
  python3 curl gzip zstd procps
  # the leak-shape tests build xz, bzip2, zip, 7z and tar samples (tests/e2e/dump_shapes.sh)
  xz-utils bzip2 libarchive-tools
  # scripts/format.sh --check (CTest lint.format)
  clang-format
  # the static export test serves an export with nginx (tests/e2e/export_nginx.sh)
  nginx-light
  # the package test (tests/e2e/package.sh): lintian, systemd-analyze (verify, security), man -l, and strace
  # for the system calls vigie-serve makes against the unit's filter
  lintian systemd man-db strace
  # the citizen page's tests (web/): node:test, and headless Chromium driven by playwright-core from npm
  chromium nodejs npm
)
# Extra groups on request: `install-deps.sh --bench` adds the benchmark tools.
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(wrk hyperfine nginx-light time nghttp2-client) ;;
    --web) ;;  # now in the default list (CI runs the page's browser test)
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  # A Node.js from elsewhere (e.g. NodeSource's nodejs, which bundles npm and conflicts with Debian's npm
  # package) is used as it is.
  if { [ "$p" = nodejs ] && command -v node >/dev/null; } || { [ "$p" = npm ] && command -v npm >/dev/null; }; then
    continue
  fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# An update is needed once on a fresh machine; skip it when the lists are recent.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
  $sudo apt-get update -q
fi
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
