#!/usr/bin/env bash
# Every option of every program given a bad value: no exception escapes, nothing crashes or hangs, and a
# bad number is refused with a message — never accepted and wrapped (`vigie-gen --rows -5` once wrote
# 71 GB). The options are read from each program's own --help, so a new option is covered without editing
# this file. For each option that takes a number (INT, UINT, FLOAT): "x", "-1", a 25-digit number, "1e999"
# and an empty value must all exit with status 1..127 (not 0, not a signal) within 10 s and say something on
# stderr; for other options "x" and "" must not crash (a path or name "x" may well be refused later).
# Usage: bad_flags.sh TOOLS_DIR INDEXER_DIR SERVER_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
SERVE="$3/vigie-serve"

python3 - "$GEN" "$VI" "$CHECK" "$TOOLS/vigie-tool" "$SERVE" > flags.txt 2>&1 <<'PY' || fail "bad flags: $(tail -n 30 flags.txt)"
import re, subprocess, sys
gen, vi, check, tool, serve = sys.argv[1:6]
# Each command with the required options filled in with harmless values, so that the bad value is what fails.
commands = {
    (gen,): ["-o", "/dev/null"],
    (vi, "keygen"): ["--key", "k/new.key"],
    (vi, "create"): ["--index", "idx-new"],
    (vi, "define"): ["--index", "idx", "--breach", "b", "--title", "T", "--date", "2024-01-01", "--data-classes", "nir"],
    (vi, "add"): ["--index", "idx", "--breach", "b", "--input", "in.csv", "--kind", "nir"],
    (vi, "remove"): ["--index", "idx", "--breach", "b"],
    (vi, "stats"): ["--index", "idx"],
    (vi, "verify"): ["--index", "idx"],
    (vi, "padding-key"): ["--index", "idx"],
    (vi, "export"): ["--index", "idx", "--out", "out"],
    (check,): ["--kind", "nir", "--server", "http://127.0.0.1:1"],  # nothing listens: refused at once
    (check, "normalize"): ["--kind", "nir"],
    (tool, "leakage"): [],
    (tool, "bruteforce-rate"): [],
    (tool, "set-build"): ["--index", "idx"],
    (serve,): ["--index", "idx", "--listen", "127.0.0.1:0", "--admin-listen", ""],
}
option_line = re.compile(r"^\s+(?:-\w,)?(--[\w-]+)(?:,[^ ]+)?\s+([A-Z]+)")
numeric = {"INT", "UINT", "FLOAT", "NUMBER"}
failures, checked = [], 0
for command, required in commands.items():
    help_text = subprocess.run(list(command) + ["--help"], capture_output=True, text=True, timeout=10).stdout
    options = [(m.group(1), m.group(2)) for m in map(option_line.match, help_text.splitlines()) if m]
    assert options or command == (tool, "leakage"), f"no options read from {command} --help"
    for option, kind in options:
        if option in ("--help", "--config"):
            continue
        values = ["x", "-1", "9" * 25, "1e999", ""] if kind in numeric else ["x", ""]
        for value in values:
            # The required options first, then the bad one (it wins when it repeats a required one).
            args = list(command) + required + [option, value]
            try:
                r = subprocess.run(args, capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                failures.append(f"{' '.join(args[1:])!r} {option}={value!r}: still running after 10 s")
                continue
            checked += 1
            name = " ".join(a.rsplit("/", 1)[-1] for a in command)
            if r.returncode < 0 or r.returncode >= 128:
                failures.append(f"{name} {option} {value!r}: killed by signal or crashed (status {r.returncode}): "
                                f"{r.stderr[-200:]!r}")
            elif kind in numeric and r.returncode == 0:
                failures.append(f"{name} {option} {value!r}: accepted")
            elif kind in numeric and not r.stderr.strip() and not r.stdout.strip():
                failures.append(f"{name} {option} {value!r}: refused without a word")
print(f"{checked} runs of {len(commands)} commands with bad option values")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
PY
cat flags.txt
finish
