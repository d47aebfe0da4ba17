#!/usr/bin/env bash
# The main job, end to end: install what is missing, build, generate a synthetic leak dump, index it,
# check a few identifiers, and serve the index (when the server is built) until Ctrl-C.
# Environment: ROWS (default 200000), DEMO_DIR (default ./demo), LISTEN (default 127.0.0.1:8080),
# SERVE=0 to stop after indexing.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${ROWS:-200000}"
demo="${DEMO_DIR:-demo}"
listen="${LISTEN:-127.0.0.1:8080}"
bin=build/release

scripts/install-deps.sh
scripts/build.sh release

mkdir -p "$demo"
echo "== generating a synthetic dump of $rows rows (1% messy rows, e-mail and phone columns)"
"$bin/tools/vigie-gen" --rows "$rows" --seed 2024 --errors 0.01 --email --phone -o "$demo/dump.csv.zst"

echo "== indexing it (keyed oprf-p256 scheme, padded responses: the defaults)"
rm -rf "$demo/index"
[ -f "$demo/server.key" ] || "$bin/indexer/vigie-index" keygen --key "$demo/server.key"
"$bin/indexer/vigie-index" create --index "$demo/index" --key "$demo/server.key"
"$bin/indexer/vigie-index" define --index "$demo/index" --breach demo-mutuelles-2024 \
  --title "Demo: synthetic health-insurance payment processor leak" --date 2024-02-01 \
  --data-classes names,dates-of-birth,nir,insurer-names,email-addresses,phone-numbers \
  --description "Synthetic data made by vigie-gen; no real person."
"$bin/indexer/vigie-index" add --index "$demo/index" --breach demo-mutuelles-2024 --input "$demo/dump.csv.zst" \
  --kind nir --kind email --kind phone --rejects "$demo/rejects.tsv"
"$bin/indexer/vigie-index" verify --index "$demo/index"
"$bin/indexer/vigie-index" stats --index "$demo/index"

echo "== looking up a NIR from the dump and one that is not in it"
present=$(zstd -dc "$demo/dump.csv.zst" | sed -n 2p | cut -d';' -f4)
"$bin/tools/vigie-check" --index "$demo/index" --key "$demo/server.key" --kind nir "$present" "1 99 12 75 056 999" || true

if [ "${SERVE:-1}" != "0" ] && [ -x "$bin/server/vigie-serve" ]; then
  echo "== serving on http://$listen/ (Ctrl-C to stop)"
  exec "$bin/server/vigie-serve" --index "$demo/index" --key "$demo/server.key" --listen "$listen"
fi
