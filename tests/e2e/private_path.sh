#!/usr/bin/env bash
# The private path end to end (PRODUCT.md §3b): vigie-check --private against vigie-serve, on an sha256 index
# and on an oprf-p256 one (both padded, the defaults, with two overlapping breaches):
#   - a bulk run over a mixed file of present, absent and invalid NIRs gives exactly the range path's
#     result columns, fetching `all` once and making no range request;
#   - single look-ups fetch the manifest and one shard per look-up, nothing else that names the tag; a second
#     run takes the shard from its cache (the manifest revalidated: 304);
#   - a damaged or truncated shard (through a proxy that alters it) is an error (exit 2, "set shard"), never a
#     "not found"; an index update between runs is picked up.
# Usage: private_path.sh TOOLS_DIR INDEXER_DIR SERVER_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
SERVE="$3/vigie-serve"

"$GEN" --rows 20000 --seed 61 --duplicates 0 -o dump.csv 2>/dev/null
"$GEN" --rows 3000 --seed 62 --duplicates 0 -o other.csv 2>/dev/null
python3 - <<'PY'
import random
dump = open("dump.csv", encoding="utf-8").read().splitlines()
other = open("other.csv", encoding="utf-8").read().splitlines()[1:]
present = {l.split(";")[3] for l in dump[1:]}
absent = [l for l in other if l.split(";")[3] not in present][:2000]
open("second.csv", "w", encoding="utf-8").write("\n".join([dump[0]] + dump[1:3001]) + "\n")  # breach 2 overlaps
invalid = ["BAD;Row;01/01/2000;%s;Nowhere" % v for v in ["12345", "1 85 05 78 006 084 99", ""] * 30]
rows = dump[1:] + absent + invalid
random.Random(3).shuffle(rows)
open("input.csv", "w", encoding="utf-8").write("\n".join([dump[0]] + rows) + "\n")
open("present.txt", "w").write(dump[2].split(";")[3] + "\n")
open("absent.txt", "w").write(absent[0].split(";")[3] + "\n")
PY
present=$(cat present.txt)
absent=$(cat absent.txt)

"$VI" keygen --key server.key >/dev/null
echo "bulk-key-private-0123456789" > keys
for scheme in sha256 oprf-p256; do
  idx="idx-$scheme"
  if [ "$scheme" = sha256 ]; then
    "$VI" create --index "$idx" --scheme sha256 --allow-unkeyed-nir --shard-bits 5 >/dev/null
  else
    "$VI" create --index "$idx" --key server.key >/dev/null
  fi
  "$VI" define --index "$idx" --breach mutuelle-a --title A --date 2024-02-01 --data-classes nir >/dev/null
  "$VI" define --index "$idx" --breach mutuelle-b --title B --date 2024-03-01 --data-classes nir >/dev/null
  "$VI" add --index "$idx" --breach mutuelle-a --input dump.csv --kind nir --column nir --no-progress >/dev/null
  "$VI" add --index "$idx" --breach mutuelle-b --input second.csv --kind nir --column nir --no-progress >/dev/null
  start_server "serve-$scheme" --index "$idx" --api-keys keys --rate-limit 0
  URL="http://127.0.0.1:$PORT"
  LOG="$WORK/serve-$scheme.log"
  export VIGIE_API_KEY=bulk-key-private-0123456789

  # ---- bulk: the same results as the range path, one `all`, no range request ------------------------------
  "$CHECK" --server "$URL" --kind nir --input input.csv --column nir --output "range-$scheme.csv" --no-progress \
    2> "range-$scheme.err" || true
  : > "$LOG.before"; cp "$LOG" "$LOG.before"
  "$CHECK" --server "$URL" --kind nir --private --cache-dir cache --input input.csv --column nir \
    --output "private-$scheme.csv" --no-progress 2> "private-$scheme.err" || true
  cmp -s "range-$scheme.csv" "private-$scheme.csv" || fail "$scheme: --private bulk differs from the range path"
  found=$(awk -F';' 'NR > 1 && $(NF-2) == "yes"' "private-$scheme.csv" | wc -l)
  expect_eq "$scheme: bulk rows found" "$found" 20000
  expect_eq "$scheme: rows in both breaches" \
    "$(awk -F';' 'NR > 1 && $(NF-1) == "mutuelle-a,mutuelle-b"' "private-$scheme.csv" | wc -l)" 3000
  new_lines=$(tail -n +"$(($(wc -l < "$LOG.before") + 1))" "$LOG")
  expect_eq "$scheme: bulk makes no range request" "$(grep -c '"route":"range"' <<< "$new_lines" || true)" 0
  expect_eq "$scheme: bulk fetches the set once (manifest, all)" "$(grep -c '"route":"set"' <<< "$new_lines")" 2

  # ---- single look-ups: the manifest and one shard each; then from the cache --------------------------------
  cp "$LOG" "$LOG.before"
  expect_exit "$scheme: present NIR found" 0 "$CHECK" --server "$URL" --kind nir --private --cache-dir single "$present"
  expect_eq "$scheme: present NIR output" "$(cat "$WORK/last.out")" "#1: FOUND in mutuelle-a, mutuelle-b"
  sleep 0.2
  new_lines=$(tail -n +"$(($(wc -l < "$LOG.before") + 1))" "$LOG")
  expect_eq "$scheme: one manifest and one shard" "$(grep -c '"route":"set","status":200' <<< "$new_lines")" 2
  expect_eq "$scheme: no range request" "$(grep -c '"route":"range"' <<< "$new_lines" || true)" 0
  expect_exit "$scheme: absent NIR not found" 1 "$CHECK" --server "$URL" --kind nir --private --cache-dir single \
    "$absent"
  cp "$LOG" "$LOG.before"
  expect_exit "$scheme: present NIR again" 0 "$CHECK" --server "$URL" --kind nir --private --cache-dir single "$present"
  sleep 0.2
  new_lines=$(tail -n +"$(($(wc -l < "$LOG.before") + 1))" "$LOG")
  expect_eq "$scheme: second run: manifest revalidated, shard from the cache" \
    "$(grep -c '"route":"set"' <<< "$new_lines")/$(grep -c '"route":"set","status":304' <<< "$new_lines")" "1/1"
  unset VIGIE_API_KEY
done

# ---- a damaged shard is an error, never "not found" -------------------------------------------------------
python3 - "$PORT" > proxy.port 2> proxy.err <<'PY' &
import http.client, http.server, sys, threading
upstream = int(sys.argv[1])
class Proxy(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # OPRF evaluations, passed through
        self.do_GET(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
    def do_GET(self, body=None):
        c = http.client.HTTPConnection("127.0.0.1", upstream)
        headers = {k: self.headers[k] for k in ("Authorization", "Content-Type") if self.headers.get(k)}
        c.request(self.command, self.path, body=body, headers=headers)
        r = c.getresponse()
        body = r.read()
        parts = self.path.split("/")
        if self.path.startswith("/v1/set/") and len(parts) == 5 and r.status == 200:
            body = body[:len(body) // 2] if "truncated" in open("mode").read() else \
                body[:40] + bytes([body[40] ^ 1]) + body[41:]
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
PIDS+=($!)
for _ in $(seq 1 100); do [ -s proxy.port ] && break; sleep 0.05; done
PROXY="http://127.0.0.1:$(cat proxy.port)"
for mode in flipped truncated; do
  echo "$mode" > mode
  expect_exit "a $mode shard is an error" 2 env VIGIE_API_KEY=bulk-key-private-0123456789 \
    "$CHECK" --server "$PROXY" --kind nir --private --cache-dir "damaged-$mode" "$absent"
  grep -q "set shard" "$WORK/last.err" || fail "the $mode shard's error names the set: $(cat "$WORK/last.err")"
done
finish
