#!/usr/bin/env bash
# The Debian package: scripts/package.sh on the tree CTest runs in (no rebuild), then what the package holds
# and whether it works, using only the extracted package's files:
# - control fields, every program's --version, man pages that render without warnings, docs, conffiles;
# - a small oprf-p256 index made with the packaged vigie-gen and vigie-index, served by the packaged
#   vigie-serve started with the unit's own ExecStart= line and the packaged /etc/default/vigie-serve
#   (keys in a credentials folder, as systemd hands them over) until /healthz answers, a NIR found through
#   it, an index update picked up; under strace, so that every system call it made is checked against the
#   unit's SystemCallFilter= (as `systemd-analyze syscall-filter` expands it), its memory mappings against
#   MemoryDenyWriteExecute= and its sockets against RestrictAddressFamilies=;
# - the unit: `systemd-analyze verify` (no message at all), `systemd-analyze security --offline=true`
#   exposure at most 2.0;
# - lintian: no error.
# A missing tool fails the test (scripts/install-deps.sh installs them all).
# Usage: package.sh TOOLS_DIR INDEXER_DIR SERVER_DIR BUILD_DIR
# Before lib.sh, which changes to the work folder.
SOURCE_DIR="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD_DIR="$(cd "$4" && pwd)"
source "$(dirname "$0")/lib.sh" "$1" "$2"
# A command failing under set -e says where.
trap 'echo "FAIL: line $LINENO: \"$BASH_COMMAND\" exited $?" >&2' ERR
MAX_EXPOSURE=2.0

missing=()
for tool in cpack dpkg-deb dpkg-shlibdeps systemd-analyze lintian man strace curl; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "FAIL: not found: ${missing[*]} (scripts/install-deps.sh installs them: cmake, dpkg-dev, systemd," \
    "lintian, man-db, strace, curl)" >&2
  exit 1
fi

# ---- build the package: the script's last line is the .deb ------------------------------------------
"$SOURCE_DIR/scripts/package.sh" --build-dir "$BUILD_DIR" --out "$WORK/out" > package.out 2> package.err ||
  { cat package.out package.err >&2; echo "FAIL: scripts/package.sh" >&2; exit 1; }
deb=$(tail -n 1 package.out)
[[ "$deb" == "$WORK/out/vigie_"*.deb && -f "$deb" ]] || { echo "FAIL: last line '$deb' is not the .deb" >&2; exit 1; }
echo "ok: package $(basename "$deb")"

ROOT="$WORK/root"
dpkg-deb -x "$deb" "$ROOT"
dpkg-deb -e "$deb" "$WORK/control"
field() { dpkg-deb -f "$deb" "$1"; }
expect_eq "package name" "$(field Package)" vigie
version=$(field Version)
upstream=${version%-*}
for dep in libc6 librocksdb libssl3 libzstd1 procps; do
  [[ "$(field Depends)" == *"$dep"* ]] || fail "Depends names $dep: $(field Depends)"
done

# ---- programs, man pages, docs, configuration ----------------------------------------------------------
for p in vigie-index vigie-serve vigie-check vigie-gen vigie-tool; do
  expect_eq "$p --version" "$("$ROOT/usr/bin/$p" --version)" "$p $upstream"
  page="$ROOT/usr/share/man/man1/$p.1.gz"
  if [ ! -f "$page" ]; then fail "no man page $page"; continue; fi
  # man's own checks, as lintian runs them: any groff warning is printed on stderr (a set locale, so that
  # man has nothing else to say there).
  LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" > /dev/null 2> "$p.man.err" ||
    fail "man --warnings -l $p.1.gz failed"
  [ -s "$p.man.err" ] && fail "man -l $p.1.gz warns: $(head -c 400 "$p.man.err")"
  LC_ALL=C.UTF-8 MANWIDTH=100 man -l "$page" > "$p.man" 2>/dev/null || fail "man -l $p.1.gz failed"
  grep -q "^NAME" "$p.man" && grep -q "^SYNOPSIS" "$p.man" && grep -q -- "--version" "$p.man" ||
    fail "$p(1) lacks NAME, SYNOPSIS or --version"
done
grep -q -- "--padding-key" vigie-serve.man || fail "vigie-serve(1) documents its options"
grep -q "^COMMANDS" vigie-index.man && grep -q "vigie-index add" vigie-index.man ||
  fail "vigie-index(1) documents its subcommands"
for f in README.md copyright changelog.Debian.gz docs/OPERATOR-GUIDE.md docs/API.md; do
  [ -f "$ROOT/usr/share/doc/vigie/$f" ] || fail "missing /usr/share/doc/vigie/$f"
done
grep -q "^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" \
  "$ROOT/usr/share/doc/vigie/copyright" || fail "copyright file in Debian format"
expect_eq "conffiles" "$(cat "$WORK/control/conffiles")" /etc/default/vigie-serve
for script in postinst prerm postrm; do sh -n "$WORK/control/$script" || fail "$script: syntax"; done
UNIT="$ROOT/lib/systemd/system/vigie-serve.service"
DEFAULTS="$ROOT/etc/default/vigie-serve"
[ -f "$UNIT" ] && [ -f "$DEFAULTS" ] || { fail "the package lacks $UNIT or $DEFAULTS"; finish; }

# ---- the packaged programs make an index ---------------------------------------------------------------
BIN="$ROOT/usr/bin"
"$BIN/vigie-gen" --rows 3000 --seed 41 -o dump1.csv 2>/dev/null
"$BIN/vigie-gen" --rows 1000 --seed 42 -o dump2.csv 2>/dev/null
mkdir etc-vigie
"$BIN/vigie-index" keygen --key etc-vigie/server.key >/dev/null
"$BIN/vigie-index" create --index index --key etc-vigie/server.key >/dev/null
"$BIN/vigie-index" define --index index --breach b1 --title B1 --date 2024-02-01 --data-classes nir >/dev/null
"$BIN/vigie-index" add --index index --breach b1 --input dump1.csv --kind nir --no-progress >/dev/null
cp index/padding.key etc-vigie/padding.key

# ---- ... served by the unit's ExecStart= with the packaged defaults ------------------------------------
# systemd hands the credentials over as files readable by the service's user alone, in a folder that is
# %d in the unit ($CREDENTIALS_DIRECTORY).
creds="$WORK/credentials"
mkdir -m 0700 "$creds"
for c in $(sed -n 's/^LoadCredential=\([^:]*\):\(.*\)$/\1=\2/p' "$UNIT"); do
  name=${c%%=*}
  src=${c#*=}
  [[ "$src" == /etc/vigie/* ]] || fail "credential $name from $src, not /etc/vigie"
  install -m 0400 "etc-vigie/${src#/etc/vigie/}" "$creds/$name"
done
# The settings file as systemd reads it (KEY=value lines), with this test's index and free ports.
declare -A settings
while IFS='=' read -r key value; do
  if [[ "$key" =~ ^VIGIE_[A-Z_]+$ ]]; then
    value=${value#\"}
    settings[$key]=${value%\"}
  fi
done < "$DEFAULTS"
for key in VIGIE_INDEX VIGIE_LISTEN VIGIE_ADMIN_LISTEN VIGIE_ARGS; do
  [ -n "${settings[$key]+set}" ] || fail "$DEFAULTS sets $key"
done
expect_eq "default index" "${settings[VIGIE_INDEX]}" /var/lib/vigie/index
settings[VIGIE_INDEX]="$WORK/index"
settings[VIGIE_LISTEN]=127.0.0.1:0
settings[VIGIE_ADMIN_LISTEN]=127.0.0.1:0
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
[ "$(echo "$exec_start" | wc -l)" = 1 ] || fail "one ExecStart= line"
# systemd's expansion: ${VAR} stays one word, $VAR splits into words (none when empty), %d is the credentials.
cmd=()
for word in $exec_start; do
  case "$word" in
    /usr/bin/*) cmd+=("$ROOT$word") ;;
    \$\{*\}) v=${word:2:-1}; cmd+=("${settings[$v]}") ;;
    \$*) v=${word:1}; for w in ${settings[$v]}; do cmd+=("$w"); done ;;
    %d/*) cmd+=("$creds/${word#%d/}") ;;
    *%*|*\$*) fail "ExecStart= word '$word' not understood by this test"; cmd+=("$word") ;;
    *) cmd+=("$word") ;;
  esac
done
echo "unit command: ${cmd[*]}"
: > serve.err
# strace passes no signal on (it blocks them when given -o and a program): signals go to vigie-serve itself,
# SERVE_PID, the process whose execve strace recorded. The exit trap stops it before strace, which then ends.
strace -f -qq -o "$WORK/strace.out" "${cmd[@]}" > serve.log 2> serve.err &
PID=$!
SERVE_PID=""
stop_traced() {
  if [ -n "$SERVE_PID" ]; then
    kill "$SERVE_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVE_PID" 2>/dev/null || true
  fi
  kill -KILL "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
}
trap 'stop_traced; stop_background; rm -rf "$WORK"' EXIT
PORT=""
for _ in $(seq 1 400); do
  PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' serve.err)
  ADMIN_PORT=$(sed -n 's/.*admin on 127\.0\.0\.1:\([0-9]*\).*/\1/p' serve.err)
  [ -n "$PORT" ] && break
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.05
done
SERVE_PID=$(sed -n 's/^\([0-9][0-9]*\) *execve(".*vigie-serve".* = 0$/\1/p' "$WORK/strace.out" | head -n 1)
[ -n "$PORT" ] && [ -n "$SERVE_PID" ] ||
  { echo "FAIL: the packaged vigie-serve did not start: $(cat serve.err)" >&2; exit 1; }
healthy=""
for _ in $(seq 1 100); do
  code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ADMIN_PORT/healthz" || true)
  [ "$code" = 200 ] && { healthy=1; break; }
  sleep 0.1
done
expect_eq "/healthz answers" "${healthy:-no}" 1
expect_eq "/v1/index" "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/index")" 200
expect_eq "/metrics on the admin listener" \
  "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ADMIN_PORT/metrics")" 200
nir1=$(sed -n 2p dump1.csv | cut -d';' -f4)
"$BIN/vigie-check" --server "http://127.0.0.1:$PORT" --kind nir "$nir1" > check1.out ||
  fail "packaged vigie-check finds a NIR through the packaged server: $(cat check1.out)"
# An index update while it serves (the unit's index is read-only to the server; vigie-index writes it).
"$BIN/vigie-index" define --index index --breach b2 --title B2 --date 2024-03-01 --data-classes nir >/dev/null
"$BIN/vigie-index" add --index index --breach b2 --input dump2.csv --kind nir --no-progress >/dev/null
kill -HUP "$SERVE_PID"
nir2=$(sed -n 2p dump2.csv | cut -d';' -f4)
found=""
for _ in $(seq 1 50); do
  if "$BIN/vigie-check" --server "http://127.0.0.1:$PORT" --kind nir "$nir2" > check2.out 2>&1; then found=1; break; fi
  sleep 0.2
done
expect_eq "an index update is served" "${found:-no}" 1
kill -TERM "$SERVE_PID"
rc=""
for _ in $(seq 1 300); do
  if ! kill -0 "$PID" 2>/dev/null; then set +e; wait "$PID"; rc=$?; set -e; break; fi
  sleep 0.1
done
expect_eq "vigie-serve's exit status after SIGTERM" "${rc:-still running after 30 s}" 0
grep -q "stopping" serve.err || fail "vigie-serve stopped on SIGTERM: $(tail -n 3 serve.err)"
SERVE_PID=""

# Every system call vigie-serve made (from its execve on, all threads) must pass the unit's filter: the
# union of the allowed groups minus the denied ones, expanded by systemd-analyze itself.
expand() {  # expand NAME...: system call names, groups expanded recursively
  local n members
  for n in "$@"; do
    if [[ "$n" == @* ]]; then
      # "@group", then its members one per indented line (nested groups too), and "# ..." comments.
      mapfile -t members < <(systemd-analyze syscall-filter "$n" | tail -n +2 | sed 's/^ *//; /^#/d; /^$/d')
      [ ${#members[@]} -gt 0 ] || fail "systemd-analyze syscall-filter $n: no members"
      expand "${members[@]}"
    else
      echo "$n"
    fi
  done
}
allow=() deny=()
while read -r line; do
  read -ra words <<< "${line#\~}"
  if [[ "$line" == "~"* ]]; then deny+=("${words[@]}"); else allow+=("${words[@]}"); fi
done < <(sed -n 's/^SystemCallFilter=//p' "$UNIT")
[ ${#allow[@]} -gt 0 ] || fail "the unit has a SystemCallFilter= allow list"
expand "${allow[@]}" | sort -u > allowed
expand "${deny[@]}" | sort -u > denied
comm -23 allowed denied > permitted
sed -n '/execve(".*vigie-serve"/,$p' "$WORK/strace.out" |
  sed -E 's/^[0-9]+ +//; s/^<\.\.\. ([a-z0-9_]+) resumed>.*/\1/; s/^([a-z0-9_]+)\(.*/\1/' |
  grep -E '^[a-z0-9_]+$' | sort -u > used
[ "$(wc -l < used)" -gt 20 ] || fail "strace recorded vigie-serve's system calls ($(wc -l < used))"
outside=$(comm -23 used permitted | tr '\n' ' ')
expect_eq "system calls outside the unit's filter" "${outside:-none}" none
echo "ok: $(wc -l < used) distinct system calls, all in the filter"
# MemoryDenyWriteExecute=: no mapping both writable and executable; RestrictAddressFamilies=: sockets of
# the listed families only.
sed -n '/execve(".*vigie-serve"/,$p' "$WORK/strace.out" | grep -E '(mmap|mprotect|pkey_mprotect)\(' |
  grep -E 'PROT_WRITE\|PROT_EXEC' > wx || true
[ -s wx ] && fail "a writable and executable mapping: $(head -n 1 wx)"
families=$(sed -n 's/^RestrictAddressFamilies=//p' "$UNIT")
for family in $(sed -n '/execve(".*vigie-serve"/,$p' "$WORK/strace.out" |
                sed -n 's/^[0-9]* *socket(\(AF_[A-Z0-9]*\),.*/\1/p' | sort -u); do
  [[ " $families " == *" $family "* ]] || fail "a socket of family $family, not in RestrictAddressFamilies=$families"
done

# ---- the unit -------------------------------------------------------------------------------------------
# verify needs ExecStart='s binary and Documentation='s man page to exist: point both at the package.
mkdir unit
sed "s#/usr/bin/vigie-serve#$ROOT/usr/bin/vigie-serve#" "$UNIT" > unit/vigie-serve.service
set +e
MANPATH="$ROOT/usr/share/man" systemd-analyze verify unit/vigie-serve.service > verify.out 2>&1
rc=$?
set -e
expect_eq "systemd-analyze verify exit" "$rc" 0
[ -s verify.out ] && fail "systemd-analyze verify says: $(head -c 600 verify.out)"
systemd-analyze security --offline=true unit/vigie-serve.service > security.out 2>&1 ||
  fail "systemd-analyze security failed: $(tail -n 5 security.out)"
exposure=$(sed -n 's/.*Overall exposure level for vigie-serve\.service: \([0-9.]*\).*/\1/p' security.out)
if [ -z "$exposure" ]; then
  fail "no exposure level in systemd-analyze security's output: $(tail -n 5 security.out)"
elif awk -v e="$exposure" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(e + 0 <= max + 0) }'; then
  echo "ok: exposure level $exposure (at most $MAX_EXPOSURE)"
else
  fail "exposure level $exposure above $MAX_EXPOSURE: $(grep '✗' security.out)"
fi

# ---- lintian ----------------------------------------------------------------------------------------------
set +e
lintian "$deb" > lintian.out 2> lintian.err
rc=$?
set -e
cat lintian.out
errors=$(grep -c '^E: ' lintian.out || true)
expect_eq "lintian errors" "$errors" 0
[ "$rc" = 0 ] || fail "lintian exit $rc: $(head -c 400 lintian.err)"
finish
