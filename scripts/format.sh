#!/usr/bin/env bash
# clang-format (Debian's, with the root .clang-format) over Vigie's own C++ sources.
#   scripts/format.sh           formats them in place
#   scripts/format.sh --check   changes nothing; lists the files that differ (with the first lines of the
#                               difference) and exits 1 if there is any — what CI runs (CTest lint.format,
#                               and the `format-check` build target)
# Generated files are left alone: core/dump_tables.cc (scripts/derive-communes.mjs writes it).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-fix}
formatter=${CLANG_FORMAT:-}
if [ -z "$formatter" ]; then
  for candidate in clang-format clang-format-14; do
    command -v "$candidate" >/dev/null && formatter=$candidate && break
  done
fi
[ -n "$formatter" ] || { echo "format: clang-format not found (scripts/install-deps.sh installs it)" >&2; exit 2; }

# Tracked sources in a checkout, every source otherwise (an unpacked tarball).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.h' '*.cc')
else
  mapfile -t files < <(find core indexer server tools tests bench web -name '*.h' -o -name '*.cc' | grep -v node_modules | sort)
fi
sources=()
for f in "${files[@]}"; do
  case "$f" in core/dump_tables.cc) continue ;; esac
  [ -f "$f" ] && sources+=("$f")
done

case "$mode" in
  fix) "$formatter" -i --style=file "${sources[@]}" ;;
  --check)
    differ=0
    for f in "${sources[@]}"; do
      if ! "$formatter" --style=file "$f" | cmp -s - "$f"; then
        differ=$((differ + 1))
        echo "format: $f differs from .clang-format:"
        "$formatter" --style=file "$f" | diff -u "$f" - | sed -n '3,12p' || true
      fi
    done
    if [ "$differ" -gt 0 ]; then
      echo "format: $differ of ${#sources[@]} files differ; run scripts/format.sh to format them" >&2
      exit 1
    fi
    echo "format: all ${#sources[@]} files match .clang-format ($("$formatter" --version | head -n 1))"
    ;;
  *) echo "usage: scripts/format.sh [--check]" >&2; exit 2 ;;
esac
