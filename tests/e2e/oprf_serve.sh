#!/usr/bin/env bash
# oprf-p256 end to end: keygen -> create (the default scheme) -> add a generated dump -> vigie-serve ->
# vigie-check --server finds the present NIRs and not the absent ones (single look-ups without a key under
# the strict per-address evaluation budget; --verify-key; a bulk run of ~20k rows with an API key), the
# server refuses a wrong or world-readable key, and a scrape of EVERY bucket of a small oprf index shares
# no suffix with the sha256 tags of the NIRs it holds (what an attacker would brute-force).
# Usage: oprf_serve.sh TOOLS_DIR INDEXER_DIR SERVER_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
SERVE="$3/vigie-serve"

SERVE_ARGS=(--no-access-log)

"$VI" keygen --key server.key > keygen.txt
fingerprint=$(grep -o 'fingerprint [0-9a-f]*' keygen.txt | cut -d' ' -f2)
"$VI" create --no-padding --index idx --key server.key > create.txt
grep -q "created oprf-p256 index" create.txt || fail "default scheme is oprf-p256: $(cat create.txt)"
ROWS=20000
"$GEN" --rows $ROWS --seed 71 --duplicates 0 -o dump.csv 2>/dev/null
"$GEN" --rows 2000 --seed 72 --duplicates 0 -o other.csv 2>/dev/null
"$VI" define --index idx --breach mutuelle-k --title "Mutuelle K" --date 2024-03-01 --data-classes nir >/dev/null
"$VI" add --index idx --breach mutuelle-k --input dump.csv --kind nir --column nir --no-progress >/dev/null

echo "bulk-key-0123456789abcdef" > keys   # no figure: unlimited requests and evaluations
start_server main --index idx --api-keys keys
URL="http://127.0.0.1:$PORT"
ADMIN="http://127.0.0.1:$ADMIN_PORT"

# /v1/index and /v1/oprf/key announce the scheme and the key.
expect_eq "index scheme" "$(curl -s "$URL/v1/index" | json '["scheme"]')" "oprf-p256"
expect_eq "index key fingerprint" "$(curl -s "$URL/v1/index" | json '["oprf"]["fingerprint"]')" "$fingerprint"
expect_eq "oprf key fingerprint" "$(curl -s "$URL/v1/oprf/key" | json '["fingerprint"]')" "$fingerprint"

python3 - <<'PY'
dump = open("dump.csv", encoding="utf-8").read().splitlines()
other = open("other.csv", encoding="utf-8").read().splitlines()[1:]
present = {l.split(";")[3] for l in dump[1:]}
absent = [l for l in other if l.split(";")[3] not in present][:1000]
with open("bulk.csv", "w", encoding="utf-8") as f, open("truth.txt", "w") as t:
    f.write(dump[0] + "\n")
    rows = [(l, "yes") for l in dump[1:]] + [(l, "no") for l in absent]
    import random
    random.Random(5).shuffle(rows)
    for line, want in rows:
        f.write(line + "\n")
        t.write(want + "\n")
PY
present=$(sed -n '2p' dump.csv | cut -d';' -f4)
present2=$(sed -n '3p' dump.csv | cut -d';' -f4)
absent=$(grep -m1 '^.*;no$' <(paste -d';' <(tail -n +2 bulk.csv) truth.txt) | cut -d';' -f4)

# ---- single look-ups, no API key: a few evaluations, well inside the default budget ---------------
expect_exit "present NIR found" 0 "$CHECK" --server "$URL" --kind nir "$present"
expect_eq "present NIR output" "$(cat last.out)" "#1: FOUND in mutuelle-k"
expect_exit "absent NIR not found" 1 "$CHECK" --server "$URL" --kind nir "$absent"
expect_eq "absent NIR output" "$(cat last.out)" "#1: not found"
expect_exit "two values, JSON" 0 "$CHECK" --server "$URL" --kind nir --json "$present2" "$absent"
expect_eq "JSON found flags" "$(python3 -c 'import json,sys; print([json.loads(l)["found"] for l in open(sys.argv[1])])' last.out)" \
  "[True, False]"
expect_exit "--verify-key with the right fingerprint" 0 "$CHECK" --server "$URL" --kind nir --verify-key "$fingerprint" "$present"
expect_exit "--verify-key with another fingerprint" 2 "$CHECK" --server "$URL" --kind nir --verify-key 0123456789abcdef "$present"
grep -q "nothing was sent" last.err || fail "verify-key message: $(cat last.err)"
# Local mode on the same index: the key from the recorded path, or --key.
expect_exit "local look-up" 0 "$CHECK" --index idx --kind nir "$present"
expect_eq "local output" "$(cat last.out)" "#1: FOUND in mutuelle-k"

# The per-address budget (30 evaluations a minute): a burst of anonymous evaluations gets 429 + Retry-After.
python3 - "$PORT" > burst.txt <<'PY'
import http.client, os, struct, sys
# 16 copies of the P-256 generator's compressed encoding: a valid point (the server cannot tell).
g = bytes.fromhex("036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296")
body = struct.pack(">H", 16) + g * 16
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for i in range(4):
    c.request("POST", "/v1/oprf/nir/evaluate", body, {"Content-Type": "application/octet-stream"})
    r = c.getresponse(); r.read()
    print(r.status, r.getheader("Retry-After") or "-")
PY
grep -q '^429 [0-9]' burst.txt || fail "anonymous burst not limited: $(tr '\n' ' ' < burst.txt)"

# ---- bulk with the API key ----------------------------------------------------------------------------
"$CHECK" --server "$URL" --kind nir --input bulk.csv --column nir --output out.csv --checkpoint cp \
  --api-key bulk-key-0123456789abcdef --no-progress 2> bulk.err || fail "bulk run: $(cat bulk.err)"
cat bulk.err
python3 - <<'PY' || fail "bulk results differ from the truth"
import csv
truth = open("truth.txt").read().split()
rows = list(csv.reader(open("out.csv", encoding="utf-8"), delimiter=";"))[1:]
got = [r[-3] for r in rows]
assert len(got) == len(truth), (len(got), len(truth))
bad = sum(1 for g, t in zip(got, truth) if g != t)
assert bad == 0, bad
print("ok: bulk rows match the truth:", len(got))
PY
evals=$(curl -s "$ADMIN/metrics" | sed -n 's/^vigie_oprf_evaluations_total //p')
[ "$evals" -ge $((ROWS + 1000)) ] || fail "evaluations counted: $evals"

# ---- keys refused at start ----------------------------------------------------------------------------
"$VI" keygen --key other.key >/dev/null
expect_exit "another key is refused" 2 "$SERVE" --index idx --key other.key --listen 127.0.0.1:0 --admin-listen ""
grep -q "not this index's key" last.err || fail "mismatch message: $(cat last.err)"
chmod 640 server.key
expect_exit "a group-readable key is refused" 2 "$SERVE" --index idx --listen 127.0.0.1:0 --admin-listen ""
grep -qi "group\|permission" last.err || fail "permission message: $(cat last.err)"
chmod 600 server.key

# ---- the scrape: every bucket of a small oprf index vs the sha256 tags of its NIRs -------------------
"$GEN" --rows 3000 --seed 73 --duplicates 0 -o small.csv 2>/dev/null
"$VI" create --no-padding --index small --key server.key --prefix-hex 4 >/dev/null
"$VI" create --no-padding --index plain --scheme sha256 --allow-unkeyed-nir --prefix-hex 4 >/dev/null
for ix in small plain; do
  "$VI" define --index $ix --breach leak --title Leak --date 2024-03-01 --data-classes nir >/dev/null
  "$VI" add --index $ix --breach leak --input small.csv --kind nir --column nir --no-progress >/dev/null
done
tail -n +2 small.csv | cut -d';' -f4 | "$CHECK" normalize --kind nir > small-canonical.txt
start_server small --index small --rate-limit 0
SMALL=$PORT
start_server plain --index plain --rate-limit 0
PLAIN=$PORT
python3 - "$SMALL" "$PLAIN" <<'PY' || fail "scrape proof"
import hashlib, http.client, json, sys
canon = [l.strip() for l in open("small-canonical.txt") if l.strip()]
assert len(canon) == 3000, len(canon)
def sha_tag(c):
    return hashlib.sha256(("vigie:nir:" + c).encode()).hexdigest()
def fetch_all(port, prefixes):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    out = {}
    for p in prefixes:
        conn.request("GET", "/v1/range/nir/" + p)
        r = conn.getresponse()
        body = r.read()
        assert r.status == 200, (p, r.status, body[:200])
        out[p] = json.loads(body)
    return out
# Control: on the sha256 index, the brute-force table does find every NIR (the method works).
tags = [sha_tag(c) for c in canon]
plain = fetch_all(int(sys.argv[2]), sorted({t[:4] for t in tags[:200]}))
hits = sum(1 for t in tags[:200] if any(e[0] == t[4:4 + plain[t[:4]]["suffix_hex"]] for e in plain[t[:4]]["entries"]))
assert hits == 200, hits
# The scrape: all 65,536 buckets of the oprf index.
scraped = fetch_all(int(sys.argv[1]), ["%04x" % i for i in range(65536)])
w = scraped["0000"]["suffix_hex"]
stored = {(p, e[0]) for p, b in scraped.items() for e in b["entries"]}
suffixes = {s for _, s in stored}
assert len(stored) >= len(set(canon)), (len(stored), len(set(canon)))
same_bucket = sum(1 for t in tags if (t[:4], t[4:4 + w]) in stored)
any_bucket = sum(1 for t in tags if t[4:4 + w] in suffixes)
print("ok: scraped %d entries from 65536 buckets; sha256 tags matched: %d in their bucket, %d anywhere"
      % (len(stored), same_bucket, any_bucket))
assert same_bucket == 0 and any_bucket == 0
PY
finish
