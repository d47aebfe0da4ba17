#!/usr/bin/env bash
# The citizen page end to end: a generated NIR dump indexed twice, sha256 (--allow-unkeyed-nir) and oprf-p256
# (a fresh key), each served by vigie-serve on a free port; web/test/browser.mjs drives Debian's headless
# Chromium through playwright-core against each (present and absent NIRs, input errors, requests carry only
# the prefix and, for OPRF, the blinded point; axe-core accessibility, phone layout; the OPRF rate limit).
# npm dependencies are installed from web/package-lock.json with `npm ci` when missing or stale; the
# vendored curve library in web/src is then checked against them (web/test/vendor.test.mjs).
# Screenshots go to the work directory; with VIGIE_UPDATE_SCREENSHOTS=1 the OPRF run's (the default scheme)
# go to docs/screenshots.
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
node --test "$WEB/test/vendor.test.mjs" >vendor.log 2>&1 || { cat vendor.log >&2; fail "vendored files"; }

"$GEN" --rows 3000 --seed 41 --duplicates 0 -o dump.csv 2>/dev/null
"$VI" create --no-padding --index idx --scheme sha256 --allow-unkeyed-nir >/dev/null
"$VI" define --index idx --breach mutuelle-a --title "Mutuelle A" --date 2024-02-01 \
  --data-classes names,nir,dates-of-birth --description "Synthetic breach for the page test" >/dev/null
"$VI" add --index idx --breach mutuelle-a --input dump.csv --kind nir --column nir --no-progress >/dev/null
present=$("$CHECK" normalize --kind nir "$(sed -n '101p' dump.csv | cut -d';' -f4)")
absent=$("$CHECK" normalize --kind nir "2 99 12 75 056 999")
expect_eq "the absent NIR is not in the dump" "$(grep -c "$absent" dump.csv || true)" 0

# serve_and_check INDEX SCREENSHOTS [KEY]: vigie-serve on INDEX (with KEY for oprf-p256), then the browser.
serve_and_check() {
  local index="$1" shots="$2" key="${3:-}" log="serve-$1"
  local args=(--index "$index" --listen 127.0.0.1:0 --admin-listen "" --no-access-log)
  # A small evaluation budget, so that the page's last check meets the limit (429 + Retry-After).
  [ -n "$key" ] && args+=(--key "$key" --oprf-rate 6 --oprf-burst 10)
  "$SERVE" "${args[@]}" > "$log.out" 2> "$log.err" &
  SERVER_PID=$!
  local port=""
  for _ in $(seq 1 200); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log.err")
    [ -n "$port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "FAIL: vigie-serve did not start: $(cat "$log.err")" >&2; exit 1; }
  node "$WEB/test/browser.mjs" "http://127.0.0.1:$port/" "$present" "$absent" "$shots" ${key:+"$key"} \
    || fail "browser checks ($index)"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

shots="$WORK/screenshots"
[ "${VIGIE_UPDATE_SCREENSHOTS:-0}" = 1 ] && shots="$REPO/docs/screenshots"
serve_and_check idx "$WORK/screenshots-sha256"

"$VI" keygen --key oprf.key >/dev/null
"$VI" create --no-padding --index oprf --scheme oprf-p256 --key oprf.key >/dev/null
"$VI" define --index oprf --breach mutuelle-a --title "Mutuelle A" --date 2024-02-01 \
  --data-classes names,nir,dates-of-birth --description "Synthetic breach for the page test" >/dev/null
"$VI" add --index oprf --breach mutuelle-a --input dump.csv --kind nir --column nir --no-progress >/dev/null
serve_and_check oprf "$shots" "$WORK/oprf.key"
finish
