# Helpers for the end-to-end test scripts. Usage: source lib.sh TOOLS_DIR INDEXER_DIR
set -euo pipefail
[ -n "${VIGIE_E2E_TRACE:-}" ] && set -x
TOOLS="$(cd "$1" && pwd)"
INDEXER="$(cd "$2" && pwd)"
GEN="$TOOLS/vigie-gen"
CHECK="$TOOLS/vigie-check"
VI="$INDEXER/vigie-index"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vigie-e2e.XXXXXX")"
# Background processes (servers, pollers) a script starts go in PIDS; stop_background ends them. The exit
# trap does that and removes the work directory; a script needing more (mounts, exports) sets its own trap
# and calls stop_background from it.
PIDS=()
stop_background() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
trap 'stop_background; rm -rf "$WORK"' EXIT
cd "$WORK"

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_eq() {  # expect_eq WHAT ACTUAL EXPECTED
  if [ "$2" != "$3" ]; then fail "$1: got '$2', expected '$3'"; else echo "ok: $1 = $2"; fi
}
expect_exit() {  # expect_exit WHAT EXPECTED_CODE command...
  local what="$1" want="$2"; shift 2
  set +e; "$@" >"$WORK/last.out" 2>"$WORK/last.err"; local got=$?; set -e
  if [ "$got" != "$want" ]; then
    fail "$what: exit $got, expected $want; stderr: $(head -c 400 "$WORK/last.err")"
  else
    echo "ok: $what (exit $got)"
  fi
}
# json FIELD_PATH < json   (python-style path, e.g. '["rejects_by_reason"]["nir.key"]'); missing -> 0
json() { python3 -c "import json,sys
d=json.load(sys.stdin)
try:
  v=eval('d'+sys.argv[1])
except (KeyError, IndexError):
  v=0
print(json.dumps(v) if isinstance(v,(list,dict,bool)) or v is None else v)" "$1"; }
finish() {
  if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed" >&2; exit 1; fi
  echo "all checks passed"
}
# gen_count NAME < generator stderr
gen_count() { grep "^$1=" | cut -d= -f2; }

# start_server NAME ARGS...: vigie-serve ($SERVE, set by the caller) on a free loopback port, its admin
# listener on another, with SERVE_ARGS then ARGS; sets PORT, ADMIN_PORT and PID and appends the pid to PIDS
# (stop_background, run at exit, stops them).
# Ends the test when the server does not come up.
SERVE_ARGS=()
start_server() {
  local name="$1"; shift
  : > "$WORK/$name.err"  # exists before the poll below reads it, however late the background job starts
  "$SERVE" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 "${SERVE_ARGS[@]}" "$@" > "$WORK/$name.log" \
    2> "$WORK/$name.err" &
  PID=$!
  PIDS+=("$PID")
  PORT=""
  for _ in $(seq 1 400); do
    PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/$name.err")
    ADMIN_PORT=$(sed -n 's/.*admin on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/$name.err")
    [ -n "$PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "vigie-serve did not start: $(cat "$WORK/$name.err")" >&2
  exit 1
}
