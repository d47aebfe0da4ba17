#!/usr/bin/env bash
# The citizen page end to end: a generated NIR dump indexed (sha256, --allow-unkeyed-nir), vigie-serve on a
# free port, then web/test/browser.mjs drives Debian's headless Chromium through playwright-core against it
# (present and absent NIRs, input errors, requests carry only the prefix, axe-core accessibility, phone
# layout). npm dependencies are installed from web/package-lock.json with `npm ci` when missing or stale.
# Screenshots go to the work directory, or to docs/screenshots with VIGIE_UPDATE_SCREENSHOTS=1.
# Usage: web_page.sh TOOLS_DIR INDEXER_DIR SERVER_DIR
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
SERVE="$(cd "$3" && pwd)/vigie-serve"
source "$(dirname "$0")/lib.sh" "$1" "$2"
WEB="$REPO/web"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in node npm /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
# npm ci only when node_modules is missing or older than the lock file (npm writes its own copy last).
if [ ! -f "$WEB/node_modules/.package-lock.json" ] || [ "$WEB/package-lock.json" -nt "$WEB/node_modules/.package-lock.json" ]; then
  (cd "$WEB" && flock "$WEB/package-lock.json" npm ci --no-audit --no-fund --ignore-scripts) >&2
fi

"$GEN" --rows 3000 --seed 41 --duplicates 0 -o dump.csv 2>/dev/null
"$VI" create --index idx --scheme sha256 --allow-unkeyed-nir >/dev/null
"$VI" define --index idx --breach mutuelle-a --title "Mutuelle A" --date 2024-02-01 \
  --data-classes names,nir,dates-of-birth --description "Synthetic breach for the page test" >/dev/null
"$VI" add --index idx --breach mutuelle-a --input dump.csv --kind nir --column nir --no-progress >/dev/null
present=$("$CHECK" normalize --kind nir "$(sed -n '101p' dump.csv | cut -d';' -f4)")
absent=$("$CHECK" normalize --kind nir "2 99 12 75 056 999")
expect_eq "the absent NIR is not in the dump" "$(grep -c "$absent" dump.csv || true)" 0

"$SERVE" --index idx --listen 127.0.0.1:0 --no-access-log > serve.log 2> serve.err &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 200); do
  PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' serve.err)
  [ -n "$PORT" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.05
done
[ -n "$PORT" ] || { echo "FAIL: vigie-serve did not start: $(cat serve.err)" >&2; exit 1; }

shots="$WORK/screenshots"
[ "${VIGIE_UPDATE_SCREENSHOTS:-0}" = 1 ] && shots="$REPO/docs/screenshots"
node "$WEB/test/browser.mjs" "http://127.0.0.1:$PORT/" "$present" "$absent" "$shots" || fail "browser checks"
finish
