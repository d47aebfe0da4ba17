# Shared by the wrk-driven benchmarks (serve_bench.sh, soak.sh). Source it; needs python3.

# write_range_load WORK PREFIX_HEX: WORK/paths.txt, 100 000 seeded random /v1/range/nir/{prefix} paths (the
# same list on every run, so servers and runs compare), and WORK/paths.lua, the wrk script that walks it
# (each thread from its own offset) and prints one parsable RESULT line at the end.
write_range_load() {
  local work="$1" prefix_hex="$2"
  python3 - "$work/paths.txt" "$prefix_hex" <<'PY'
import random, sys
rng = random.Random(1)
w = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    for _ in range(100000):
        f.write(f"/v1/range/nir/{rng.randrange(16 ** w):0{w}x}\n")
PY
  cat > "$work/paths.lua" <<LUA
local paths = {}
for line in io.lines("$work/paths.txt") do paths[#paths + 1] = line end
local counter = 0
local thread_id = 0
function setup(thread) thread:set("id", thread_id); thread_id = thread_id + 1 end
function init(args) counter = (id or 0) * 7919 end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d " ..
    "errors=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, e.connect, e.read, e.write, e.status, e.timeout))
end
LUA
}

# field NAME RESULT_LINE: one value of a RESULT line.
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<< "$2"; }
