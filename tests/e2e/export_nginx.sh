#!/usr/bin/env bash
# Static export ≡ vigie-serve, through nginx: an index is exported with `vigie-index export`, served by
# nginx (Debian nginx-light, unprivileged, own prefix/conf/pid/temp paths, free loopback port) with
# docs/nginx-vigie.conf, and by vigie-serve; sampled prefixes (present and empty, either case), the breach
# list and records, and malformed requests must get byte-identical bodies, the same status and the same
# Content-Type, Cache-Control, CORS and Last-Modified headers; the manifest's ETag must be the server's.
# Twice: an unpadded index (NIRs and e-mails) and a padded one (its own padding key, written by `create`: the
# export, the server, a restart and a replica answer alike with no flag; bad or missing keys refused).
# With VIGIE_E2E_HIBP_EXPORT=1 also a sha1 index's Pwned Passwords tree (1,048,576 files: ~4 GiB of
# file-system blocks and a minute or two, so not by default).
# Usage: export_nginx.sh TOOLS_DIR INDEXER_DIR SERVER_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
SERVE="$3/vigie-serve"
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$NGINX" ] || { echo "nginx is missing: scripts/install-deps.sh installs nginx-light" >&2; exit 1; }
# The exports (~200,000 small files) go to tmpfs when there is room: deleting that many synced files
# costs minutes on some virtual disks (online discard), and the export syncs them.
EXP="$WORK"
if [ -w /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -gt 2097152 ]; then
  EXP="$(mktemp -d /dev/shm/vigie-export-e2e.XXXXXX)"
fi
cleanup() {
  stop_background
  rm -rf "$WORK"
  if [ "$EXP" != "$WORK" ]; then rm -rf "$EXP"; fi
}
trap cleanup EXIT
chmod 755 "$WORK" "$EXP"  # nginx's workers may run as another user (below)

SERVE_ARGS=(--rate-limit 0 --no-access-log)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_nginx() {  # start_nginx NAME EXPORT_DIR PREFIX_HEX: nginx on a free port; sets NPORT
  local name="$1" root="$2" prefix_hex="$3" dir="$WORK/nginx-$1"
  mkdir -p "$dir/logs" "$dir/tmp"
  NPORT=$(free_port)
  sed -e "s|^\( *\)listen .*|\1listen 127.0.0.1:$NPORT;|" -e "s|^\( *\)root .*|\1root $root;|" \
      -e "s|^\( *\)set \$vigie_prefix_hex .*|\1set \$vigie_prefix_hex $prefix_hex;|" \
      "$REPO/docs/nginx-vigie.conf" > "$dir/vigie.conf"
  local nofile
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=65536
  cat > "$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
worker_rlimit_nofile $nofile;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  include $dir/vigie.conf;
}
EOF
  local run=("$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log")
  if [ "$(id -u)" -eq 0 ]; then
    # Never as root: the whole nginx (master included) runs as nobody.
    chown -R nobody "$dir"
    run=(setpriv --reuid=nobody --regid=nogroup --clear-groups "${run[@]}")
  fi
  "${run[@]}" > "$dir/logs/stdout" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$NPORT/healthz" && return 0
    sleep 0.05
  done
  echo "nginx did not start: $(cat "$dir/logs/stdout" "$dir/logs/error.log" 2>/dev/null)" >&2
  exit 1
}

# compare VIGIE_PORT NGINX_PORT EXPORT_DIR LABEL [hibp]: the sampled comparison, in Python.
compare() {
  python3 - "$@" <<'EOF'
import http.client, json, random, sys
vport, nport, export, label = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
mode = sys.argv[5] if len(sys.argv) > 5 else ""
hibp_only = mode == "hibp"
# After an update, files that did not change are the previous export's (hard links): their time, hence
# nginx's Last-Modified, is that of the state that last changed them, not older than... and not newer
# than the server's (the current state's commit time).
updated = mode == "updated"
import email.utils
manifest = json.load(open(f"{export}/manifest.json"))
files = {f["path"]: f for f in manifest["files"]}
rng = random.Random(7)
conns = {p: http.client.HTTPConnection("127.0.0.1", p, timeout=10) for p in (vport, nport)}

def get(port, path, method="GET", headers=None):
    c = conns[port]
    c.request(method, path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body

failures = []
checked = {"ok": 0}
HEADERS = ("content-type", "cache-control", "access-control-allow-origin", "access-control-expose-headers",
           "last-modified")
def same(path, method="GET", headers=None, etag_path=None):
    vs, vh, vb = get(vport, path, method, headers)
    ns, nh, nb = get(nport, path, method, headers)
    problems = []
    if vs != ns: problems.append(f"status {vs} vs nginx {ns}")
    if vb != nb: problems.append(f"body differs ({len(vb)} vs nginx {len(nb)} bytes): {vb[:120]!r} / {nb[:120]!r}")
    for h in HEADERS:
        if updated and h == "last-modified" and vh.get(h) and nh.get(h):
            if email.utils.parsedate_to_datetime(nh[h]) > email.utils.parsedate_to_datetime(vh[h]):
                problems.append(f"nginx Last-Modified {nh[h]} after the server's {vh[h]}")
            continue
        if vh.get(h) != nh.get(h): problems.append(f"{h}: {vh.get(h)!r} vs nginx {nh.get(h)!r}")
    if etag_path is not None and vs == 200:
        f = files[etag_path]
        if vh.get("etag") != f["etag"]: problems.append(f"manifest etag {f['etag']} vs server {vh.get('etag')}")
        if len(vb) != f["size"]: problems.append(f"manifest size {f['size']} vs {len(vb)}")
    if problems: failures.append(f"{method} {path}: " + "; ".join(problems))
    else: checked["ok"] += 1
    return vs

width = manifest["prefix_hex"]
empty_size = {}
if not hibp_only:
    for kind in manifest["kinds"]:
        paths = [p for p in files if p.startswith(f"v1/range/{kind}/")]
        assert len(paths) == 16 ** width, (kind, len(paths))
        sizes = sorted(files[p]["size"] for p in paths)
        smallest = sizes[0]
        present = [p for p in paths if files[p]["size"] > smallest] or paths
        empty = [p for p in paths if files[p]["size"] == smallest]
        sample = rng.sample(present, min(100, len(present))) + rng.sample(empty, min(60, len(empty)))
        for i, p in enumerate(sample):
            prefix = p.rsplit("/", 1)[1]
            if i % 3 == 0: prefix = prefix.upper()   # either case
            same(f"/v1/range/{kind}/{prefix}", etag_path=p)
    # The private path's set of each kind: manifest, a sample of shards, all; bad shard numbers.
    for kind in manifest["kinds"]:
        same(f"/v1/set/{kind}", etag_path=f"v1/set/{kind}.json")
        shards = [p for p in files if p.startswith(f"v1/set/{kind}/") and not p.endswith("/all")]
        assert len(shards) == 2 ** json.load(open(f"{export}/v1/set/{kind}.json"))["shard_bits"], len(shards)
        for p in rng.sample(shards, min(12, len(shards))):
            same("/" + p, etag_path=p)
        same(f"/v1/set/{kind}/all", etag_path=f"v1/set/{kind}/all")
        for bad in ("00", "A", "10000", "-1", "x", str(len(shards) and hex(len(shards))[2:])):
            assert same(f"/v1/set/{kind}/{bad}") == 400, bad
    same("/v1/set/car")
    same("/v1/set/car/0")
    same("/v1/breaches", etag_path="v1/breaches.json")
    # /v1/index: the server's, except that an export lists the kinds it holds (kinds nobody is in are not
    # exported unless --all-kinds; a client must not be told to ask for them).
    _, _, served = get(vport, "/v1/index")
    ns, _, exported = get(nport, "/v1/index")
    served, exported = json.loads(served), json.loads(exported)
    if ns != 200 or exported.get("kinds") != manifest["kinds"]:
        failures.append(f"/v1/index of the export: status {ns}, kinds {exported.get('kinds')} vs {manifest['kinds']}")
    served.pop("kinds"); exported.pop("kinds", None)
    if served != exported: failures.append(f"/v1/index: {exported} vs the server's {served}")
    for p in files:
        if p.startswith("v1/breaches/"): same("/" + p, etag_path=p)
    kind = manifest["kinds"][0]
    for bad in ["0" * (width - 1), "0" * (width + 1), "z" * width, "0" * (width - 1) + "g", "1" * 9, "a" * 3]:
        assert same(f"/v1/range/{kind}/{bad}") == 400, bad
    for path in ["/v1/range/car/" + "0" * width, "/v1/range/NIR/" + "0" * width, "/v1/breaches/nope",
                 "/v1/breaches/Nope", "/nope", "/v1/range/" + kind, "/v1/range/" + kind + "/00/00", "/healthz"]:
        same(path)
    same(f"/v1/range/{kind}/" + "0" * width, method="HEAD")
    assert same(f"/v1/range/{kind}/" + "0" * width, method="POST") == 405
    assert same(f"/v1/range/{kind}/" + "0" * width, method="OPTIONS",
                headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}) == 204
    for route in ("/range/00000", "/range/abc"):
        same(route)  # not a Pwned Passwords index: 404 range.hibp on both
else:
    paths = [p for p in files if p.startswith(manifest["hibp"] + "/")]
    assert len(paths) == 16 ** 5, len(paths)
    mode = "?mode=ntlm" if manifest["hibp"] == "range-ntlm" else ""
    sizes = sorted(files[p]["size"] for p in paths)
    present = [p for p in paths if files[p]["size"] > 0]
    empty = [p for p in paths if files[p]["size"] == 0]
    for i, p in enumerate(rng.sample(present, min(150, len(present))) + rng.sample(empty, min(60, len(empty)))):
        prefix = p.rsplit("/", 1)[1]
        if i % 3 == 0: prefix = prefix.lower()
        same(f"/range/{prefix}{mode}", etag_path=p)
    for bad in ["0000", "000000", "0000g"]:
        assert same(f"/range/{bad}{mode}") == 400, bad
    same("/range/00000" + ("" if mode else "?mode=ntlm"))  # wrong mode: 400 range.mode
    same("/range/00000?mode=xyz")
print(f"{label}: {checked['ok']} requests identical on vigie-serve and nginx")
for f in failures: print("FAIL:", f)
sys.exit(1 if failures else 0)
EOF
}

# ---- an unpadded index: NIRs and e-mails, 4-digit prefixes ------------------------------------------
"$GEN" --rows 20000 --seed 51 --duplicates 0 -o dump.csv 2>/dev/null
for i in $(seq 1 3000); do echo "user$i@example.org"; done > emails.txt
"$VI" create --no-padding --index idx --scheme sha256 --allow-unkeyed-nir --prefix-hex 4 >/dev/null
"$VI" define --index idx --breach mutuelle-a --title "Mutuelle A" --date 2024-02-01 --data-classes names,nir \
  --description "synthetic" >/dev/null
"$VI" define --index idx --breach forum-b --title "Forum B" --date 2023-05-01 --data-classes e-mails >/dev/null
"$VI" add --index idx --breach mutuelle-a --input dump.csv --kind nir --column nir --no-progress >/dev/null
"$VI" add --index idx --breach forum-b --input emails.txt --kind email --no-progress >/dev/null
"$VI" export --index idx --out "$EXP/export" --json > export.json
expect_eq "exported files (2 kinds x (65536 ranges + set: manifest, 64 shards, all) + breach list + 2 breaches + v1/index)" \
  "$(json '["files"]' < export.json)" 131208
expect_eq "exported kinds" "$(json '["kinds"]' < export.json)" '["nir", "email"]'
[ -f "$EXP/export/manifest.json" ] && [ ! -e "$EXP"/export.tmp-* ] || fail "export published atomically"
start_server plain --index idx
VPORT=$PORT
start_nginx plain "$EXP/export" 4
compare "$VPORT" "$NPORT" "$EXP/export" "unpadded" || fail "unpadded export differs from vigie-serve"
etag=$(curl -s -D - -o /dev/null "http://127.0.0.1:$NPORT/v1/range/nir/0000" | tr -d '\r' | sed -n 's/^ETag: //Ip')
expect_eq "nginx If-None-Match with its own ETag" \
  "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "http://127.0.0.1:$NPORT/v1/range/nir/0000")" 304

# A second export replaces the first in place (nginx keeps serving from the same root); unchanged files
# are links to the previous export's. Then an update of the index, re-exported: still identical.
"$VI" export --index idx --out "$EXP/export" --json > export2.json
expect_eq "re-export of the same state links every range file" "$(json '["unchanged_linked"]' < export2.json)" 131072
expect_eq "re-export leaves one tree" "$(ls -d "$EXP"/export "$EXP"/export.tmp-* 2>/dev/null | wc -l)" 1
"$GEN" --rows 2000 --seed 52 --duplicates 0 -o dump2.csv 2>/dev/null
"$VI" add --index idx --breach mutuelle-a --input dump2.csv --kind nir --column nir --no-progress >/dev/null
"$VI" export --index idx --out "$EXP/export" --json > export3.json
linked=$(json '["unchanged_linked"]' < export3.json)
[ "$linked" -gt 120000 ] && [ "$linked" -lt 131072 ] || fail "after adding 2,000 NIRs most files are linked: $linked"
generation=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generation"])' "$EXP/export/manifest.json")
for _ in $(seq 1 100); do
  [ "$(curl -s "http://127.0.0.1:$VPORT/readyz" | json '["generation"]')" = "$generation" ] && break
  sleep 0.1
done
# nginx's open_file_cache (open_file_cache_valid 10s in the sample config) may serve descriptors of the
# previous tree for a few seconds after the swap, as docs/EXPORT.md says: wait for it to let go.
for _ in $(seq 1 150); do
  [ "$(curl -s "http://127.0.0.1:$NPORT/v1/breaches/mutuelle-a")" = "$(curl -s "http://127.0.0.1:$VPORT/v1/breaches/mutuelle-a")" ] && break
  sleep 0.1
done
compare "$VPORT" "$NPORT" "$EXP/export" "unpadded, after an update" updated || fail "updated export differs"

# ---- a padded index: `create` writes its padding key, and with no flag the export, the server, a restart
# of it and a replica (a copy of the index folder) all answer the same bytes -------------------------------
"$VI" create --index pidx --scheme sha256 --allow-unkeyed-nir --prefix-hex 4 --padding >/dev/null
expect_eq "create writes the padding key, mode 600" "$(stat -c %a pidx/padding.key)" 600
"$VI" define --index pidx --breach mutuelle-a --title "Mutuelle A" --date 2024-02-01 --data-classes names,nir >/dev/null
"$VI" add --index pidx --breach mutuelle-a --input dump.csv --kind nir --column nir --no-progress >/dev/null
"$VI" export --index pidx --out "$EXP/pexport" >/dev/null
sizes=$(find "$EXP/pexport/v1/range" -type f -printf '%s\n' | sort -u | wc -l)
expect_eq "padded export: one file size" "$sizes" 1
start_server padded --index pidx
VPORT=$PORT
start_nginx padded "$EXP/pexport" 4
compare "$VPORT" "$NPORT" "$EXP/pexport" "padded" || fail "padded export differs from vigie-serve"
kill "$PID"; wait "$PID" 2>/dev/null || true
start_server restarted --index pidx
compare "$PORT" "$NPORT" "$EXP/pexport" "padded, restarted" || fail "a restarted server pads differently"
cp -a pidx pidx-replica
start_server replica --index pidx-replica
compare "$PORT" "$NPORT" "$EXP/pexport" "padded, replica" || fail "a replica pads differently"
# Bad keys are refused with the file named; a padded index without one is refused unless told.
cp pidx/padding.key loose.key && chmod 644 loose.key
expect_exit "a group-readable padding key is refused" 2 "$VI" export --index pidx --out "$EXP/x" --padding-key loose.key
grep -q "loose.key is readable by group or others" "$WORK/last.err" || fail "the loose key's error names it"
: > empty.key && chmod 600 empty.key
expect_exit "an empty padding key is refused" 2 "$SERVE" --index pidx --listen 127.0.0.1:0 --admin-listen "" \
  --padding-key empty.key
cp -a pidx pidx-nokey && rm pidx-nokey/padding.key
expect_exit "a padded index without its key is not exported" 2 "$VI" export --index pidx-nokey --out "$EXP/x"
expect_exit "a padded index without its key is not served" 2 "$SERVE" --index pidx-nokey --listen 127.0.0.1:0 \
  --admin-listen ""
grep -q "vigie-index padding-key" "$WORK/last.err" || fail "the error says how to make a key"
start_server ephemeral --index pidx-nokey --ephemeral-padding-key
grep -q "ephemeral-padding-key" "$WORK/ephemeral.err" || fail "an ephemeral padding key is announced"
"$VI" padding-key --index pidx-nokey > padding-key.out
expect_eq "padding-key writes a 600 key" "$(stat -c %a pidx-nokey/padding.key)" 600
expect_exit "padding-key never overwrites" 2 "$VI" padding-key --index pidx-nokey

# A Pwned Passwords export of an index without passwords would be empty: refused, nothing written.
expect_exit "--only hibp on a sha256 index is refused" 2 "$VI" export --index idx --out "$EXP/nohibp" --only hibp
grep -q "no Pwned Passwords ranges" "$WORK/last.err" || fail "--only hibp's refusal says why"
[ ! -e "$EXP/nohibp" ] || fail "a refused export left $EXP/nohibp"

# ---- optional: the Pwned Passwords tree of a sha1 index -------------------------------------------
if [ -n "${VIGIE_E2E_HIBP_EXPORT:-}" ]; then
  "$GEN" --kind password-sha1 --rows 200000 --seed 53 -o sha1.txt 2>/dev/null
  "$VI" create --no-padding --index pw --scheme sha1 >/dev/null
  "$VI" define --index pw --breach pwned-passwords --title "Pwned Passwords" --date 2024-01-01 \
    --data-classes passwords >/dev/null
  "$VI" add --index pw --breach pwned-passwords --input sha1.txt --kind password --no-progress >/dev/null
  "$VI" export --index pw --out "$EXP/pwexport" --only hibp
  start_server pw --index pw
  VPORT=$PORT
  start_nginx pw "$EXP/pwexport" 5
  compare "$VPORT" "$NPORT" "$EXP/pwexport" "Pwned Passwords" hibp || fail "range/ export differs from vigie-serve"
fi
finish
