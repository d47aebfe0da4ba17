#!/usr/bin/env bash
# Privacy of outputs: one full run of every tool — vigie-gen, vigie-index (keygen, create sha256 and
# oprf-p256, define, add with malformed lines and a reject report, stats, verify, export), vigie-serve on
# each index (access log on, one with client addresses, /metrics scraped), vigie-check against both
# servers (single and bulk, present, absent and malformed identifiers, local mode too) and malformed
# requests to the servers (bad prefixes, bad OPRF bodies) — with everything each writes kept in the work
# directory. Then every byte written is searched for every identifier used: as given, normalised, its tag
# (prefix and stored suffix, i.e. the truncated tag a leak would most likely show) and, as a whole hex
# token, the prefix the clients sent for it. Any match fails the test, naming the file and line, never
# the identifier. A self-check first proves the search finds a deliberately leaked identifier and prefix.
#
# Not searched, on purpose (the only exclusions):
#   in/        inputs the test itself wrote: generated dumps, look-up lists, bulk inputs, the search
#              patterns, and the canonical forms printed by `vigie-check normalize` (printing them is what
#              that command is for: the user's own answer);
#   results/   the user's own answers: `vigie-check --output` bulk result files (every input line is
#              copied into them verbatim, by design) and the bodies of the test's raw HTTP requests (a
#              response goes back to the requester; what matters is what stays behind on the server);
#   *.sst      the index's table files (the bucket data itself, as published);
#   export/    the static export tree: every prefix of the index is a file name by construction, and
#              each file is a served bucket body.
# Everything else is searched: stdout and stderr of every command, server access and error logs, the
# metrics scrape, the reject report, the bulk checkpoints, RocksDB's LOG, OPTIONS, MANIFEST and WAL files.
# Usage: privacy_grep.sh TOOLS_DIR INDEXER_DIR SERVER_DIR
SERVE="$(cd "$3" && pwd)/vigie-serve"
source "$(dirname "$0")/lib.sh" "$1" "$2"
# The export (65,536 small files) goes to tmpfs when there is room: deleting that many synced files costs
# tens of seconds on some virtual disks (see export_nginx.sh).
EXP="$WORK/export"
if [ -w /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -gt 1048576 ]; then
  EXP="$(mktemp -d /dev/shm/vigie-privacy-e2e.XXXXXX)/export"
fi
cleanup() {
  stop_background
  [ "$EXP" = "$WORK/export" ] || rm -rf "$(dirname "$EXP")"
  if [ -n "${VIGIE_PRIVACY_KEEP:-}" ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
mkdir -p in results out
# run NAME COMMAND...: stdout to out/NAME.out, stderr to out/NAME.err; the exit status in RC.
run() {
  local name="$1"; shift
  set +e; "$@" > "out/$name.out" 2> "out/$name.err"; RC=$?; set -e
}
run_ok() {
  run "$@"
  [ "$RC" = 0 ] || fail "$1: exit $RC: $(head -c 300 "out/$1.err")"
}

# ---- the helper: tags, identifier choice, the search ---------------------------------------------------
cat > in/privacy.py <<'PY'
import hashlib, json, re, subprocess, sys, os

# P-256 and RFC 9380 hash_to_curve (P256_XMD:SHA-256_SSWU_RO_), for RFC 9497 Evaluate in OPRF mode: the
# tag of an identifier on an oprf-p256 index, computed here from the key file (plain Python, not fast).
P = 2**256 - 2**224 + 2**192 + 2**96 - 1
N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551
A = P - 3
B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b

def add(p1, p2):
    if p1 is None: return p2
    if p2 is None: return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % P == 0: return None
    if p1 == p2: l = (3 * x1 * x1 + A) * pow(2 * y1, -1, P) % P
    else: l = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (l * l - x1 - x2) % P
    return (x3, (l * (x1 - x3) - y1) % P)

def mul(k, pt):
    r = None
    while k:
        if k & 1: r = add(r, pt)
        pt = add(pt, pt)
        k >>= 1
    return r

def expand_xmd(msg, dst, n):
    dst_prime = dst + bytes([len(dst)])
    b0 = hashlib.sha256(bytes(64) + msg + n.to_bytes(2, "big") + b"\0" + dst_prime).digest()
    out, prev = b"", b"\0" * 32
    for i in range(1, (n + 31) // 32 + 1):
        prev = hashlib.sha256(bytes(a ^ b for a, b in zip(b0, prev)) + bytes([i]) + dst_prime).digest()
        out += prev
    return out[:n]

def sswu(u):
    z = P - 10
    tv1 = (z * z * pow(u, 4, P) + z * u * u) % P
    x1 = (B * pow(z * A, -1, P)) % P if tv1 == 0 else (-B * pow(A, -1, P) * (1 + pow(tv1, -1, P))) % P
    def g(x): return (x ** 3 + A * x + B) % P
    x = x1 if pow(g(x1), (P - 1) // 2, P) in (0, 1) else z * u * u * x1 % P
    y = pow(g(x), (P + 1) // 4, P)
    if (u % 2) != (y % 2): y = P - y
    return (x, y)

def oprf_tag(sk, data):
    dst = b"HashToGroup-OPRFV1-\x00-P256-SHA256"
    u = expand_xmd(data, dst, 96)
    q = add(sswu(int.from_bytes(u[:48], "big") % P), sswu(int.from_bytes(u[48:], "big") % P))
    x, y = mul(sk, q)
    element = bytes([2 + (y & 1)]) + x.to_bytes(32, "big")
    return hashlib.sha256(len(data).to_bytes(2, "big") + data + len(element).to_bytes(2, "big") + element +
                          b"Finalize").hexdigest()

def sha_tag(kind, canonical):
    return hashlib.sha256(f"vigie:{kind}:{canonical}".encode()).hexdigest()

def normalize(check, kind, values):
    out = subprocess.run([check, "normalize", "--kind", kind], input="\n".join(values) + "\n",
                         capture_output=True, text=True).stdout.splitlines()
    assert len(out) == len(values), (kind, len(out), len(values))
    return [None if o.startswith("invalid:") else o for o in out]

COLUMNS = {"nir": 3, "email": 5, "phone": 6}

def rows(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().lstrip("\ufeff").splitlines()[1:]
    return [l.rstrip("\r").split(";") for l in lines]

def searched_files(root, excluded_dirs):
    excluded = [os.path.normpath(os.path.join(root, d)) for d in excluded_dirs]
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if os.path.normpath(os.path.join(dirpath, d)) not in excluded]
        for name in sorted(filenames):
            if not name.endswith(".sst"): yield os.path.join(dirpath, name)

TOKEN = re.compile(rb"(?<![0-9a-f])([0-9a-f]{4,5})(?![0-9a-f])")

def select(check, dump, other, key_file, sha_prefix, oprf_prefix, root, excluded_dirs):
    """Chooses the identifiers to look up and writes the search patterns (in/targets.json)."""
    sk = int(open(key_file).read().split()[-1], 16)
    dump_rows, other_rows = rows(dump), rows(other)
    targets = []  # [label, pattern, "sub" | "token"]
    # A prefix must hold a letter a-f (no plain-number coincidence) and must not already be a hex token
    # in what was written before any client ran (the groups of RocksDB's database UUID in its LOG, words
    # such as "defa" of "default"): such a token cannot be a client's leak, and a prefix equal to it
    # would fail the search by coincidence (~0.3% of runs for 4-digit prefixes).
    before = set()
    for path in searched_files(root, excluded_dirs):
        before.update(m.group(1).decode() for m in TOKEN.finditer(open(path, "rb").read().lower()))
    def usable(h): return any(c in "abcdef" for c in h) and h not in before
    def add_forms(label, raw, canonical, kind, sent_sha, sent_oprf, with_oprf):
        targets.append([label + " as given", raw, "sub"])
        if canonical is None: return
        targets.append([label + " normalised", canonical, "sub"])
        t = sha_tag(kind, canonical)
        targets.append([label + " sha256 tag", t[:sha_prefix + 16], "sub"])
        if sent_sha: targets.append([label + " sha256 prefix sent", t[:sha_prefix], "token"])
        if with_oprf:
            o = oprf_tag(sk, f"vigie:{kind}:{canonical}".encode())
            targets.append([label + " oprf tag", o[:oprf_prefix + 16], "sub"])
            if sent_oprf: targets.append([label + " oprf prefix sent", o[:oprf_prefix], "token"])
    malformed = {"nir": ["2 99 13 75 0a6 999 12", "1850578006084999", "285057800608436 X"],
                 "email": ["jean.martin@@example.org", "no-at-sign.example.org", "a b@example.org"],
                 "phone": ["+33 6 12 34 56 7", "06 12 34 56 78 90 12", "0612AB5678"]}
    for kind, col in COLUMNS.items():
        raw_dump = [r[col].strip() if len(r) > col else "" for r in dump_rows]
        can_dump = normalize(check, kind, raw_dump)
        in_dump = {c for c in can_dump if c}
        with_oprf = kind == "nir"
        def chosen(raws, cans, exclude, n):
            picked, seen = [], set()
            for raw, can in zip(raws, cans):
                if not can or can in seen or can in exclude or raw != raw.strip() or not raw: continue
                if not usable(sha_tag(kind, can)[:sha_prefix]): continue
                if with_oprf and not usable(oprf_tag(sk, f"vigie:{kind}:{can}".encode())[:oprf_prefix]): continue
                seen.add(can)
                picked.append((raw, can))
                if len(picked) == n: break
            return picked
        # Dump rows with two identical canonical forms are fine; rows the indexer may reject are not:
        # the look-ups below check that every "present" one is found.
        present = chosen(raw_dump[::7], can_dump[::7], set(), 6)
        raw_other = [r[col].strip() if len(r) > col else "" for r in other_rows]
        absent = chosen(raw_other, normalize(check, kind, raw_other), in_dump, 4)
        assert len(present) == 6 and len(absent) == 4, (kind, len(present), len(absent))
        with open(f"in/lookup-{kind}.txt", "w") as f:
            for raw, _ in present + absent: f.write(raw + "\n")
            for raw in malformed[kind]: f.write(raw + "\n")
        with open(f"in/truth-{kind}.txt", "w") as f:
            f.write("\n".join(["yes"] * 6 + ["no"] * 4 + ["invalid"] * 3) + "\n")
        for i, (raw, can) in enumerate(present + absent):
            add_forms(f"{kind} look-up #{i + 1}", raw, can, kind, True, with_oprf, with_oprf)
        for i, raw in enumerate(malformed[kind]):
            add_forms(f"{kind} malformed look-up #{i + 1}", raw, None, kind, False, False, False)
        # Identifiers indexed but never looked up: what the indexer might print.
        for i, (raw, can) in enumerate([(r, c) for r, c in zip(raw_dump, can_dump) if c][:20]):
            add_forms(f"{kind} dump row sample #{i + 1}", raw, can, kind, False, False, with_oprf)
        bad = [r for r, c in zip(raw_dump, can_dump) if c is None and len(r) >= 8][:20]
        for i, raw in enumerate(bad):
            add_forms(f"{kind} rejected dump value #{i + 1}", raw, None, kind, False, False, False)
    json.dump(targets, open("in/targets.json", "w"), indent=0)
    print(len(targets), "patterns")

def scan(targets_file, root, excluded_dirs):
    """Prints 'file:line: label' for every match under root (outside the excluded dirs); exit 1 if any."""
    targets = json.load(open(targets_file))
    by_text = {}
    subs, tokens = [], []
    for label, text, mode in targets:
        t = text.lower().encode()
        by_text.setdefault(t, []).append(label)
        (subs if mode == "sub" else tokens).append(re.escape(t))
    parts = []
    if subs: parts.append(b"(" + b"|".join(sorted(set(subs), key=len, reverse=True)) + b")")
    if tokens: parts.append(b"(?<![0-9a-f])(" + b"|".join(sorted(set(tokens), key=len, reverse=True)) +
                            b")(?![0-9a-f])")
    rx = re.compile(b"|".join(parts))
    found = files = 0
    for path in searched_files(root, excluded_dirs):
        files += 1
        with open(path, "rb") as f:
            for n, line in enumerate(f.read().lower().split(b"\n"), 1):
                for m in rx.finditer(line):
                    labels = by_text.get(m.group(0), ["?"])
                    print(f"LEAK: {os.path.relpath(path, root)}:{n}: {', '.join(sorted(set(labels)))}")
                    found += 1
    print(f"searched {files} files for {len(targets)} patterns: {found} match(es)", file=sys.stderr)
    sys.exit(1 if found else 0)

if sys.argv[1] == "select":
    select(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), int(sys.argv[7]), sys.argv[8],
           sys.argv[9:])
elif sys.argv[1] == "scan":
    scan(sys.argv[2], sys.argv[3], sys.argv[4:])
PY

# ---- build two indexes from a dump with malformed lines -------------------------------------------------
run_ok gen-dump "$GEN" --rows 4000 --seed 91 --email --phone --errors 0.05 -o in/dump.csv
run_ok gen-other "$GEN" --rows 1000 --seed 92 --email --phone -o in/other.csv
run_ok keygen "$VI" keygen --key in/server.key
run_ok create-sha "$VI" create --no-padding --index idx-sha --scheme sha256 --allow-unkeyed-nir
run_ok create-oprf "$VI" create --no-padding --index idx-oprf --key in/server.key --prefix-hex 4
for ix in sha oprf; do
  run_ok "define-$ix" "$VI" define --index "idx-$ix" --breach mutuelle-p --title "Mutuelle P" --date 2024-03-01 \
    --data-classes nir,email-addresses,phone-numbers --description "synthetic"
done
# Progress lines on (plain periodic lines on a pipe), a reject report, JSON and text reports.
run_ok add-sha "$VI" add --index idx-sha --breach mutuelle-p --input in/dump.csv --kind nir --kind email \
  --kind phone --rejects out/rejects-sha.tsv
run_ok add-oprf "$VI" add --index idx-oprf --breach mutuelle-p --input in/dump.csv --kind nir --json \
  --rejects out/rejects-oprf.tsv
[ "$(json '["rejected"]' < out/add-oprf.out)" -gt 0 ] || fail "the dump should have rejected lines"
[ "$(grep -vc '^#' out/rejects-oprf.tsv)" -gt 0 ] || fail "the reject report is empty"
run_ok add-again "$VI" add --index idx-oprf --breach mutuelle-p --input in/dump.csv --kind nir  # skipped
for ix in sha oprf; do
  run_ok "stats-$ix" "$VI" stats --index "idx-$ix"
  run_ok "stats-json-$ix" "$VI" stats --index "idx-$ix" --json
  run_ok "verify-$ix" "$VI" verify --index "idx-$ix"
done
run_ok export-oprf "$VI" export --index idx-oprf --out "$EXP"
run "add-bad-column" "$VI" add --index idx-sha --breach mutuelle-p --input in/dump.csv --kind nir --column nope
[ "$RC" != 0 ] || fail "add with a bad column should fail"

python3 in/privacy.py select "$CHECK" in/dump.csv in/other.csv in/server.key 5 4 "$WORK" in results export \
  > out/select.out 2> select.err || { echo "FAIL: choosing the identifiers: $(tail -n 3 select.err)" >&2; exit 1; }

# ---- servers: access logs on, client addresses in one, metrics -------------------------------------------
echo "bulk-key-privacy-0123456789" > in/keys
start_server serve-sha --index idx-sha --log-client-address --rate-limit 0
SHA="http://127.0.0.1:$PORT"
SHA_PORT=$PORT
SHA_ADMIN="http://127.0.0.1:$ADMIN_PORT"
start_server serve-oprf --index idx-oprf --key in/server.key --api-keys in/keys --rate-limit 0 --oprf-burst 200
OPRF="http://127.0.0.1:$PORT"
OPRF_PORT=$PORT
OPRF_ADMIN="http://127.0.0.1:$ADMIN_PORT"

# The tags computed by the helper are the real ones: each present identifier's suffix is in the bucket
# its prefix names, on both servers (else the search would look for the wrong strings).
python3 - "$SHA_PORT" "$OPRF_PORT" > results/tag-check.txt <<'PY' || fail "the helper's tags do not match the servers'"
import http.client, json, sys
targets = json.load(open("in/targets.json"))
tags = {(l.rsplit(" ", 2)[0], "sha" if "sha256" in l else "oprf"): t for l, t, m in targets if l.endswith(" tag")}
checked = 0
for (label, scheme), tag in tags.items():
    if "look-up" not in label or int(label.split("#")[1]) > 6: continue  # the present ones
    kind = label.split()[0]
    if scheme == "oprf" and kind != "nir": continue
    port, plen = (int(sys.argv[1]), 5) if scheme == "sha" else (int(sys.argv[2]), 4)
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", f"/v1/range/{kind}/{tag[:plen]}")
    body = json.loads(c.getresponse().read())
    assert any(e[0] == tag[plen:plen + 16] for e in body["entries"]), (label, scheme)
    checked += 1
assert checked == 6 * 3 + 6, checked
print("checked", checked)
PY

# ---- vigie-check against both servers: single and bulk, present, absent, malformed ------------------------
for kind in nir email phone; do
  run "single-sha-$kind" "$CHECK" --server "$SHA" --kind "$kind" --json < "in/lookup-$kind.txt"
  python3 - "out/single-sha-$kind.out" "in/truth-$kind.txt" <<'PY' || fail "single look-ups ($kind, sha256) differ from the truth"
import json, sys
got = ["invalid" if not j["valid"] else "yes" if j["found"] else "no" for j in map(json.loads, open(sys.argv[1]))]
want = open(sys.argv[2]).read().split()
assert got == want, (got, want)
PY
  run "single-sha-text-$kind" "$CHECK" --server "$SHA" --kind "$kind" "$(head -n 1 "in/lookup-$kind.txt")"
  run "local-$kind" "$CHECK" --index idx-sha --kind "$kind" < "in/lookup-$kind.txt"
done
run single-oprf "$CHECK" --server "$OPRF" --kind nir --json < in/lookup-nir.txt
python3 - out/single-oprf.out in/truth-nir.txt <<'PY' || fail "single look-ups (oprf) differ from the truth"
import json, sys
got = ["invalid" if not j["valid"] else "yes" if j["found"] else "no" for j in map(json.loads, open(sys.argv[1]))]
assert got == open(sys.argv[2]).read().split(), got
PY
fingerprint=$(grep -o 'fingerprint [0-9a-f]*' out/keygen.out | cut -d' ' -f2)
run single-oprf-verify "$CHECK" --server "$OPRF" --kind nir --verify-key "$fingerprint" < in/lookup-nir.txt
run single-oprf-wrong-key "$CHECK" --server "$OPRF" --kind nir --verify-key 0123456789abcdef < in/lookup-nir.txt
[ "$RC" = 2 ] || fail "a wrong --verify-key should refuse (exit $RC)"
run local-oprf "$CHECK" --index idx-oprf --key in/server.key --kind nir < in/lookup-nir.txt
# Bulk: a CSV with a header for the oprf server (API key, progress lines on), a plain list for sha256.
{ echo "nir;note"; sed 's/$/;x/' in/lookup-nir.txt; } > in/bulk-nir.csv
run bulk-oprf "$CHECK" --server "$OPRF" --kind nir --input in/bulk-nir.csv --column nir \
  --output results/bulk-oprf.csv --checkpoint out/bulk-oprf.checkpoint --api-key bulk-key-privacy-0123456789
[ "$RC" != 2 ] || fail "bulk (oprf): $(head -c 300 out/bulk-oprf.err)"
run bulk-sha "$CHECK" --server "$SHA" --kind email --input in/lookup-email.txt --output results/bulk-sha.csv \
  --checkpoint out/bulk-sha.checkpoint --no-progress
[ "$RC" != 2 ] || fail "bulk (sha256): $(head -c 300 out/bulk-sha.err)"
expect_eq "bulk results (oprf)" "$(tail -n +2 results/bulk-oprf.csv | awk -F';' '{print $(NF-2)}' | tr '\n' ' ')" \
  "$(sed 's/^invalid$//' in/truth-nir.txt | tr '\n' ' ')"

# ---- malformed requests: bad prefixes (built from real ones), bad OPRF bodies ----------------------------
python3 - "$SHA_PORT" "$OPRF_PORT" > results/bad-requests.txt 2> out/bad-requests.err <<'PY' || fail "malformed requests: $(tail -n 2 results/bad-requests.txt) $(tail -n 3 out/bad-requests.err)"
import hashlib, http.client, json, sys
targets = json.load(open("in/targets.json"))
sha = [t for l, t, m in targets if l.endswith("sha256 prefix sent") and l.startswith("nir")]
opr = [t for l, t, m in targets if l.endswith("oprf prefix sent")]
canon = [t for l, t, m in targets if l.endswith("normalised") and l.startswith("nir look-up")]
stags = [hashlib.sha256(b"vigie:nir:" + c.encode()).hexdigest() for c in canon]  # whole tags: 64 hex
def req(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, body, headers or {})
    r = c.getresponse()
    print(port, method, r.status, r.read()[:300])
    return r.status
sp, op = int(sys.argv[1]), int(sys.argv[2])
for p in sha[:3]:
    assert req(sp, "GET", f"/v1/range/nir/{p}z") == 400
    assert req(sp, "GET", f"/v1/range/nir/{p}0") == 400
    assert req(sp, "GET", f"/v1/range/bogus/{p}") == 400
    assert req(sp, "GET", f"/v1/range/nir/{p}?nir={canon[0]}") == 200
    assert req(sp, "POST", f"/v1/range/nir/{p}", b"x") in (405, 413)
    assert req(sp, "GET", f"/range/{p.upper()}") == 404
    assert req(sp, "GET", f"/v1/nope/{p}/{canon[1]}") == 404
assert req(sp, "GET", "/v1/range/nir/" + canon[0]) == 400
assert req(sp, "GET", "/v1/range/nir/x" + "a" * 20000) in (400, 414, 431)
for p in opr[:3]:
    assert req(op, "GET", f"/v1/range/nir/{p}zz") == 400
    assert req(op, "GET", f"/v1/range/password/{p}") == 400
ev = "/v1/oprf/nir/evaluate"
octet = {"Content-Type": "application/octet-stream"}
js = {"Content-Type": "application/json"}
assert req(op, "POST", ev, b"garbage", octet) == 400
# 02 || an sha256 tag: a point about half the time (then evaluated), else refused naming the element.
assert req(op, "POST", ev, bytes.fromhex("0001") + bytes.fromhex("02" + stags[0]), octet) in (200, 400)
assert req(op, "POST", ev, canon[0].encode(), {"Content-Type": "text/plain"}) == 415
assert req(op, "POST", ev, json.dumps({"elements": ["02" + stags[1]]}), js) in (200, 400)
assert req(op, "POST", ev, json.dumps({"elements": [canon[1]]}), js) == 400
assert req(op, "POST", ev, '{"elements": [' + canon[2], js) == 400
assert req(op, "POST", ev, json.dumps({"elements": []}), js) == 400
req(op, "POST", "/v1/oprf/phone/evaluate", json.dumps({"elements": ["02" + stags[2]]}), js)
PY
curl -s "$SHA_ADMIN/metrics" > out/metrics-sha.txt
curl -s "$OPRF_ADMIN/metrics" > out/metrics-oprf.txt
grep -q '^vigie_requests_total' out/metrics-sha.txt || grep -q '^vigie_' out/metrics-sha.txt || fail "no metrics scraped"
# Stop the servers so that their logs are complete.
stop_background
[ "$(wc -l < serve-sha.log)" -gt 40 ] || fail "the access log of the sha256 server is missing lines"
grep -q '"client":"127.0.0.1"' serve-sha.log || fail "the sha256 server should log client addresses"

# ---- self-check: the search finds a deliberately leaked identifier and prefix -----------------------------
mkdir -p selfcheck
leaked=$(python3 -c 'import json; t=json.load(open("in/targets.json")); print([x for l, x, m in t if l == "nir look-up #2 normalised"][0])')
prefix=$(python3 -c 'import json; t=json.load(open("in/targets.json")); print([x for l, x, m in t if l == "email look-up #3 sha256 prefix sent"][0])')
{ echo "debug: nothing here"; echo "debug: looking up $leaked for a client"
  echo "GET /v1/range/email/$(echo "$prefix" | tr a-f A-F) HTTP/1.1 from 10.1.2.3"; } > selfcheck/leaky.log
set +e
python3 in/privacy.py scan in/targets.json selfcheck > selfcheck.txt 2>&1
rc=$?
set -e
expect_eq "self-check: the search fails on a leak" "$rc" 1
expect_eq "self-check: lines reported" "$(grep '^LEAK' selfcheck.txt | cut -d: -f2,3 | tr '\n' ' ')" " leaky.log:2  leaky.log:3 "
grep -q '^LEAK: leaky.log:2: .*nir look-up #2 normalised' selfcheck.txt || fail "self-check: $(cat selfcheck.txt)"
grep -q '^LEAK: leaky.log:3: .*email look-up #3 sha256 prefix sent' selfcheck.txt || fail "self-check: $(cat selfcheck.txt)"
grep -qi -- "$leaked" selfcheck.txt && fail "the report quotes the identifier it found"
rm -rf selfcheck selfcheck.txt

# ---- the search ----------------------------------------------------------------------------------------------
set +e
python3 in/privacy.py scan in/targets.json "$WORK" in results export > scan.txt 2>&1
rc=$?
set -e
cat scan.txt | head -n 40
[ "$rc" = 0 ] || fail "identifiers, tags or sent prefixes found in outputs (above)"
finish
