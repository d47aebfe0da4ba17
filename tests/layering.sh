#!/usr/bin/env bash
# The dependency rule of ARCHITECTURE.md, checked: which folder may include which, and where RocksDB,
# Boost.Beast and cpp-httplib may appear. Usage: layering.sh SOURCE_DIR. Prints every violation.
set -u
cd "${1:?usage: layering.sh SOURCE_DIR}" || exit 2
bad=0
violation() { echo "layering: $*"; bad=1; }

sources() { find "$1" -maxdepth 1 \( -name '*.h' -o -name '*.cc' \) | sort; }
production() { sources "$1" | grep -v -E '(_test\.cc|_test_util\.h|test_index_util\.h)$'; }

# check PATTERN WHY FILES...: every include in FILES of a path matching PATTERN is a violation.
check() {
  local pattern=$1 why=$2; shift 2
  local hits
  hits=$(grep -n -E "^#include [<\"]($pattern)" "$@" 2>/dev/null)
  [ -z "$hits" ] || violation "$why:"$'\n'"$hits"
}

check 'server/|tools/|indexer/|web/|tests/' "core/ includes only core/ and third-party headers" $(production core)
check 'tools/|indexer/' "server/ does not include tools/ or indexer/" $(production server)
check 'server/|indexer/|web/|tests/' "tools/ includes only core/ and tools/" $(production tools)
check 'server/|tools/|web/|tests/' "indexer/ includes only core/ and indexer/" $(production indexer)

# RocksDB behind core/index.* and the few files that write or guard table files.
rocks_allowed='core/(index|sst_writer|ingest_guard|db_log)\.(h|cc)$'
for f in $(production core; production server; production tools; production indexer); do
  [[ $f =~ $rocks_allowed ]] && continue
  grep -q -E '^#include [<"]rocksdb/' "$f" && violation "$f includes RocksDB (only $rocks_allowed may)"
done
# Boost.Beast only in the HTTP codec; cpp-httplib only in the client and tests.
for f in $(production server; production tools; production core; production indexer); do
  [ "$f" = server/http_codec.cc ] || ! grep -q -E '^#include [<"]boost/' "$f" || violation "$f includes Boost (only server/http_codec.cc may)"
  [ "$f" = tools/http_bucket_source.cc ] || ! grep -q -E '^#include [<"]httplib\.h' "$f" ||
    violation "$f includes httplib.h (only tools/http_bucket_source.cc and tests may)"
done
[ "$bad" -eq 0 ] && echo "layering: every include follows ARCHITECTURE.md's dependency rule"
exit "$bad"
