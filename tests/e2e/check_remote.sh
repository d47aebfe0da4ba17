#!/usr/bin/env bash
# vigie-check remote mode end to end: a generated dump indexed and served by vigie-serve on a free port;
# single look-ups through --server give exactly the local mode's output and exit codes (text and JSON);
# a bulk run over a 200k-row file finds every dump row, not the added absent NIRs, and reports invalid rows;
# a bulk run killed with SIGKILL and resumed from its checkpoint gives a byte-identical output; compressed
# input and output; a rate-limited server (429 + Retry-After) is retried to completion, and an API key
# lifts the limit.
# Usage: check_remote.sh TOOLS_DIR INDEXER_DIR SERVER_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
SERVE="$3/vigie-serve"

SERVE_ARGS=(--no-access-log)

ROWS=200000
"$GEN" --rows $ROWS --seed 41 --duplicates 0 -o dump.csv 2>/dev/null
"$GEN" --rows 3000 --seed 42 --duplicates 0 -o other.csv 2>/dev/null
"$VI" create --no-padding --index idx --scheme sha256 --allow-unkeyed-nir >/dev/null
"$VI" define --index idx --breach mutuelle-a --title "Mutuelle A" --date 2024-02-01 --data-classes names,nir \
  --description synthetic >/dev/null
"$VI" add --index idx --breach mutuelle-a --input dump.csv --kind nir --column nir --no-progress >/dev/null
start_server main --index idx --rate-limit 0
URL="http://127.0.0.1:$PORT"

# The bulk input: every dump row, 2,000 NIRs of another dump that are not in this one, and invalid rows,
# interleaved deterministically. truth.txt says what each data row must get.
python3 - <<'PY'
import random
dump = open("dump.csv", encoding="utf-8").read().splitlines()
other = open("other.csv", encoding="utf-8").read().splitlines()[1:]
present = {l.split(";")[3] for l in dump[1:]}
absent = [l for l in other if l.split(";")[3] not in present][:2000]
invalid = ["BAD;Row;01/01/2000;%s;Nowhere" % v for v in
           ["12345", "1 85 05 78 006 084 99", "2 73 05 2C 012 345", "", "abc"] * 40]
rows = [(l, "yes") for l in dump[1:]] + [(l, "no") for l in absent] + [(l, "") for l in invalid]
random.Random(7).shuffle(rows)
with open("input.csv", "w", encoding="utf-8") as f:
    f.write(dump[0] + "\n")
    for line, _ in rows:
        f.write(line + "\n")
with open("truth.txt", "w") as f:
    for _, t in rows:
        f.write(t + "\n")
with open("values.txt", "w") as f:  # a few of each for the single look-ups
    for v in [l.split(";")[3] for l in dump[1:4] + absent[:3]] + ["12345", "1 85 05 78 006 084 99"]:
        f.write(v + "\n")
PY
expect_eq "absent NIRs kept" "$(grep -c '^no$' truth.txt)" 2000
present=$(sed -n '2p' dump.csv | cut -d';' -f4)
absent=$(sed -n '4p' values.txt)

# ---- single look-ups: the same output and exit codes as local mode ----------------------------------
expect_exit "present NIR: exit 0" 0 "$CHECK" --server "$URL" --kind nir "$present"
expect_eq "present NIR output" "$(cat last.out)" "#1: FOUND in mutuelle-a"
expect_exit "absent NIR: exit 1" 1 "$CHECK" --server "$URL" --kind nir "$absent"
expect_eq "absent NIR output" "$(cat last.out)" "#1: not found"
expect_exit "invalid NIR: exit 2" 2 "$CHECK" --server "$URL" --kind nir "12345"
expect_exit "absent + invalid: exit 2" 2 "$CHECK" --server "$URL" --kind nir "$absent" "12345"
expect_exit "unreachable server: exit 2" 2 "$CHECK" --server "http://127.0.0.1:1" --kind nir "$present"
for fmt in text json; do
  flag=(); [ $fmt = json ] && flag=(--json)
  "$CHECK" --index idx --kind nir "${flag[@]}" < values.txt > local.$fmt || true
  "$CHECK" --server "$URL" --kind nir "${flag[@]}" < values.txt > remote.$fmt || true
  cmp -s local.$fmt remote.$fmt && echo "ok: remote $fmt output = local $fmt output" \
    || fail "remote $fmt output differs from local: $(diff local.$fmt remote.$fmt | head -5)"
done
expect_eq "JSON found flags" "$(python3 -c "import json
print(''.join('1' if json.loads(l)['found'] else '0' for l in open('remote.json')))")" 11100000

# ---- bulk ------------------------------------------------------------------------------------------------
"$CHECK" --server "$URL" --kind nir --input input.csv --column nir --output ref.csv --no-progress 2> bulk.err \
  || fail "bulk run failed: $(cat bulk.err)"
cat bulk.err
check_output() {  # check_output FILE: rows in order, columns kept, verdicts right
  python3 - "$1" <<'PY'
import sys
inp = open("input.csv", encoding="utf-8").read().splitlines()
out = open(sys.argv[1], encoding="utf-8").read().splitlines()
truth = open("truth.txt").read().splitlines()
assert len(out) == len(inp), f"{len(out)} output lines for {len(inp)} input lines"
assert out[0] == inp[0] + ";found;breaches;error", out[0]
bad = 0
for i, (a, b, t) in enumerate(zip(inp[1:], out[1:], truth), 2):
    ok = b.startswith(a + ";")
    tail = b[len(a) + 1:]
    if t == "yes": ok = ok and tail == "yes;mutuelle-a;"
    elif t == "no": ok = ok and tail == "no;;"
    else: ok = ok and tail.startswith(";;") and tail.endswith("]") and len(tail) > 10
    if not ok:
        bad += 1
        if bad < 4: print(f"line {i}: {b[-80:]!r} (expected {t or 'an error'})", file=sys.stderr)
assert bad == 0, f"{bad} wrong rows"
print("ok")
PY
}
expect_eq "bulk output: every dump row found, absent not, invalid reported, order kept" "$(check_output ref.csv)" ok
expect_eq "bulk summary" "$(grep -o '[0-9]* rows: [0-9]* found, [0-9]* not found, [0-9]* invalid' bulk.err)" \
  "202200 rows: 200000 found, 2000 not found, 200 invalid"

# Compressed input and output: the same rows.
gzip -1 -c input.csv > input.csv.gz
"$CHECK" --server "$URL" --kind nir --input input.csv.gz --column 4 --output out.csv.zst --no-progress 2>/dev/null \
  || fail "bulk run on gzip input failed"
zstd -q -d -c out.csv.zst | cmp -s - ref.csv && echo "ok: gzip in, zstd out: same rows" \
  || fail "gzip/zstd bulk output differs"

# SIGKILL in the middle, then resume from the checkpoint: byte-identical output, no duplicates, no gaps.
"$CHECK" --server "$URL" --kind nir --input input.csv --column nir --output resumed.csv --checkpoint cp \
  --block-rows 20000 --no-progress 2> killed.err &
bulk_pid=$!
for _ in $(seq 1 600); do
  lines=$(sed -n 's/^lines //p' cp 2>/dev/null || true)
  [ -n "$lines" ] && [ "$lines" -ge 60000 ] && break
  sleep 0.05
done
sleep 0.3  # into the next block: its rows are partly written, or fetched and not yet written
kill -9 "$bulk_pid" 2>/dev/null || true
wait "$bulk_pid" 2>/dev/null || true
killed_at=$(sed -n 's/^lines //p' cp)
[ "$(sed -n 's/^done //p' cp)" = 0 ] && echo "ok: killed at line $killed_at, before the end" \
  || fail "the bulk run finished before it could be killed"
[ "$(stat -c %s resumed.csv)" -ge "$(sed -n 's/^output_bytes //p' cp)" ] || fail "output shorter than checkpoint"
"$CHECK" --server "$URL" --kind nir --input input.csv --column nir --output resumed.csv --checkpoint cp \
  --block-rows 20000 --no-progress 2> resume.err || fail "resume failed: $(cat resume.err)"
grep -q "resumed at line $((killed_at + 1))" resume.err && echo "ok: resumed at line $((killed_at + 1))" \
  || fail "resume did not start after the checkpoint: $(cat resume.err)"
cmp -s resumed.csv ref.csv && echo "ok: killed + resumed output identical to an uninterrupted run" \
  || fail "resumed output differs from the uninterrupted one"
expect_exit "rerun of a finished checkpoint" 0 "$CHECK" --server "$URL" --kind nir --input input.csv --column nir \
  --output resumed.csv --checkpoint cp --no-progress
grep -q "already complete" last.err || fail "a finished run was not recognised: $(cat last.err)"
cmp -s resumed.csv ref.csv || fail "a rerun of a finished run changed the output"
sed -i '2s/^/X/' input.csv
expect_exit "checkpoint of another input refused" 2 "$CHECK" --server "$URL" --kind nir --input input.csv \
  --column nir --output resumed.csv --checkpoint cp --no-progress
sed -i '2s/^X//' input.csv

# ---- a server without GET /v1/index (older versions, or an export made before it wrote v1/index): the layout is probed from /v1/range ----
cat > proxy.py <<'PY'
import http.server, sys, urllib.request, urllib.error
upstream = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.path == "/v1/index":
            code, body = 404, b'{"error":"no such route","reason":"route.unknown"}'
        else:
            try:
                with urllib.request.urlopen(upstream + self.path) as r: code, body = r.status, r.read()
            except urllib.error.HTTPError as e: code, body = e.code, e.read()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 proxy.py "$URL" > proxy.port &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s proxy.port ] && break; sleep 0.05; done
"$CHECK" --server "http://127.0.0.1:$(cat proxy.port)" --kind nir --json < values.txt > probed.json || true
cmp -s local.json probed.json && echo "ok: without /v1/index, output = local output" \
  || fail "probed-layout output differs: $(diff local.json probed.json | head -5)"

# ---- rate limiting: 429 + Retry-After retried to completion; an API key lifts the limit ---------------
head -n 301 input.csv > small.csv
head -n 301 ref.csv > small_ref.csv
echo "e2e-key-0123456789abcdef" > keys.txt
start_server limited --index idx --rate-limit 40 --rate-burst 10 --api-keys keys.txt
LIMITED="http://127.0.0.1:$PORT"
"$CHECK" --server "$LIMITED" --kind nir --input small.csv --column nir --output small.csv.out --no-progress \
  2> limited.err || fail "rate-limited bulk run failed: $(cat limited.err)"
cmp -s small.csv.out small_ref.csv && echo "ok: rate-limited run complete and right" \
  || fail "rate-limited output differs"
limited=$(sed -n 's/.*(\([0-9]*\) retries, \([0-9]*\) rate-limited).*/\2/p' limited.err)
[ "${limited:-0}" -gt 0 ] && echo "ok: $limited answers were 429, retried" || fail "no 429 seen: $(cat limited.err)"
grep -q "HTTP 429" limited.err && echo "ok: the 429 was reported" || fail "429 not reported"
"$CHECK" --server "$LIMITED" --kind nir --input small.csv --column nir --output small.key.out --no-progress \
  --api-key e2e-key-0123456789abcdef 2> key.err || fail "bulk run with an API key failed: $(cat key.err)"
expect_eq "no 429 with an API key" "$(sed -n 's/.*(\([0-9]*\) retries, \([0-9]*\) rate-limited).*/\2/p' key.err)" 0
cmp -s small.key.out small_ref.csv || fail "API-key output differs"
VIGIE_API_KEY=wrong-key-0123456789abcdef expect_exit "unknown API key: exit 2" 2 "$CHECK" --server "$LIMITED" \
  --kind nir "$present"
grep -q "auth.key" last.err && echo "ok: unknown key explained" || fail "401 not explained: $(cat last.err)"

finish
