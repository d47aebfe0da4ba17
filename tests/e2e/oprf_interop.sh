#!/usr/bin/env bash
# RFC 9497 interoperability: the third-party @cloudflare/voprf-ts client (version pinned in
# tests/oprf-interop/package-lock.json), used unchanged, blinds "vigie:nir:<canonical>", posts its
# serialized EvaluationRequest to vigie-serve's /v1/oprf/nir/evaluate, deserializes and finalizes the
# answer: its output must be the tag the oprf-p256 index holds for present NIRs (found through /v1/range)
# and match nothing for absent ones; in VOPRF mode the library verifies the server's proofs.
# Needs node >= 20 and npm; `npm ci` uses the registry or the local npm cache.
# Usage: oprf_interop.sh TOOLS_DIR INDEXER_DIR SERVER_DIR
CLIENT_SRC="$(cd "$(dirname "$0")/../oprf-interop" && pwd)"
source "$(dirname "$0")/lib.sh" "$1" "$2"
SERVE="$3/vigie-serve"
command -v node >/dev/null && command -v npm >/dev/null || { echo "needs node and npm" >&2; exit 1; }

mkdir client
cp "$CLIENT_SRC/package.json" "$CLIENT_SRC/package-lock.json" "$CLIENT_SRC/check.mjs" client/
(cd client && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)
expect_eq "voprf-ts version" "$(node -p 'require("./client/node_modules/@cloudflare/voprf-ts/package.json").version')" \
  "$(node -p 'require("./client/package-lock.json").packages["node_modules/@cloudflare/voprf-ts"].version')"

"$VI" keygen --key server.key >/dev/null
"$VI" create --no-padding --index idx --key server.key >/dev/null
"$GEN" --rows 5000 --seed 81 --duplicates 0 -o dump.csv 2>/dev/null
"$GEN" --rows 200 --seed 82 --duplicates 0 -o other.csv 2>/dev/null
"$VI" define --index idx --breach leak --title Leak --date 2024-03-01 --data-classes nir >/dev/null
"$VI" add --index idx --breach leak --input dump.csv --kind nir --column nir --no-progress >/dev/null
tail -n +2 dump.csv | cut -d';' -f4 | "$CHECK" normalize --kind nir > dump.txt
tail -n +2 other.csv | cut -d';' -f4 | "$CHECK" normalize --kind nir > other.txt
present=$(sed -n '1,5p' dump.txt)
absent=$(grep -vxF -f dump.txt other.txt > absent.txt || true; sed -n '1,5p' absent.txt)

"$SERVE" --index idx --listen 127.0.0.1:0 --admin-listen "" --no-access-log > serve.log 2> serve.err &
PIDS+=("$!")
PORT=""
for _ in $(seq 1 400); do
  PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' serve.err)
  [ -n "$PORT" ] && break
  sleep 0.05
done
[ -n "$PORT" ] || { echo "vigie-serve did not start: $(cat serve.err)" >&2; exit 1; }

# 10 + 1 + 3 + 1 = 15 anonymous evaluations: inside the default budget (30 a minute).
# shellcheck disable=SC2086
if (cd client && node check.mjs "http://127.0.0.1:$PORT" $present -- $absent) > result.json 2> node.err; then
  echo "ok: voprf-ts: $(cat result.json)"
else
  fail "voprf-ts client: $(cat result.json) $(head -c 600 node.err)"
fi
expect_eq "present/absent checked" "$(json '["present"]' < result.json)/$(json '["absent"]' < result.json)" "5/5"
finish
