#!/usr/bin/env python3
"""Runs a guide as written: every ```console block of a Markdown file, in order, in one fresh folder.

Usage: run_guide.py GUIDE.md BIN_DIR... [--keep]

A console block holds commands and the output they must print:

    $ vigie-index stats --index idx          a command (a trailing backslash continues it on the next line)
    index idx: scheme sha256, …              expected output (stdout and stderr, in order)
    …                                        a line that is only "…" stands for any number of lines
    [2]                                      the exit status, when it is not 0

In an expected line, "…" matches any text within the line (timings, keys, dates). Trailing spaces are
ignored. Commands run with bash in the guide's folder, one after the other (files and processes carry
over; so do `export` and `cd` commands, replayed before each later command, as in one shell session), with
BIN_DIR... first on PATH; a command ending in " &" runs in the background and is stopped when the guide
ends. $VIGIE_DOCS is the guide's own folder. A command gets COMMAND_TIMEOUT seconds. Blocks with another info string (```sh, ```text, none) are not run: they are synopses or
illustrations. Exits 1 naming the first command whose output or status differs, with both outputs.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

ELLIPSIS = "…"
COMMAND_TIMEOUT = 300


def parse(markdown):
    """Yields (line_number, command, expected_lines, expected_status) for every command of console blocks."""
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        i += 1
        block = []
        while i < len(lines) and lines[i].strip() != "```":
            block.append((i + 1, lines[i]))
            i += 1
        i += 1
        j = 0
        while j < len(block):
            number, line = block[j]
            if not line.startswith("$ "):
                raise SystemExit(f"line {number}: console blocks start with a '$ ' command, got {line!r}")
            command = line[2:]
            j += 1
            while command.endswith("\\") and j < len(block):
                command = command + "\n" + block[j][1]
                j += 1
            expected = []
            while j < len(block) and not block[j][1].startswith("$ "):
                expected.append(block[j][1].rstrip())
                j += 1
            status = 0
            if expected and re.fullmatch(r"\[\d+\]", expected[-1]):
                status = int(expected.pop()[1:-1])
            yield number, command, expected, status


def line_matches(pattern, text):
    parts = [re.escape(p) for p in pattern.split(ELLIPSIS)]
    return re.fullmatch(".*".join(parts), text, re.S) is not None


def output_matches(expected, actual):
    """Whether `actual` lines match `expected` lines, where a lone "…" line matches any run of lines."""
    memo = {}

    def match(e, a):
        if (e, a) in memo:
            return memo[(e, a)]
        if e == len(expected):
            result = a == len(actual)
        elif expected[e] == ELLIPSIS:
            result = any(match(e + 1, k) for k in range(a, len(actual) + 1))
        else:
            result = a < len(actual) and line_matches(expected[e], actual[a]) and match(e + 1, a + 1)
        memo[(e, a)] = result
        return result

    return match(0, 0)


def main():
    args = [a for a in sys.argv[1:] if a != "--keep"]
    keep = "--keep" in sys.argv
    if len(args) < 2:
        raise SystemExit(__doc__)
    guide, bin_dirs = args[0], [os.path.abspath(d) for d in args[1:]]
    commands = list(parse(open(guide, encoding="utf-8").read()))
    if not commands:
        raise SystemExit(f"{guide}: no console block to run")
    work = tempfile.mkdtemp(prefix="vigie-guide-")
    # VIGIE_DOCS: the folder of the guide, where a guide finds the files that lie beside it (nginx-vigie.conf);
    # an installed package has them in /usr/share/doc/vigie.
    env = dict(os.environ, PATH=os.pathsep.join(bin_dirs + [os.environ.get("PATH", "")]), TZ="UTC",
               LC_ALL="C.UTF-8", HOME=work, VIGIE_DOCS=os.path.dirname(os.path.abspath(guide)))
    background = []
    session = []  # export and cd commands so far: the shell state later commands start from
    failed = False
    try:
        for number, command, expected, status in commands:
            prelude = "".join(c + "\n" for c in session)
            if re.match(r"(export|cd)\s", command):
                session.append(command)
            if command.rstrip().endswith(" &"):
                log = open(os.path.join(work, f".background-{number}.log"), "wb")
                background.append(subprocess.Popen(["bash", "-c", prelude + "exec " + command.rstrip()[:-2]], cwd=work,
                                                   env=env, stdout=log, stderr=subprocess.STDOUT,
                                                   start_new_session=True))
                continue
            try:
                run = subprocess.run(["bash", "-c", prelude + command], cwd=work, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT)
                returncode, output = run.returncode, run.stdout
            except subprocess.TimeoutExpired as e:
                returncode, output = f"none: still running after {COMMAND_TIMEOUT} s", e.stdout or b""
            actual = [l.rstrip() for l in output.decode("utf-8", "replace").splitlines()]
            if returncode != status or not output_matches(expected, actual):
                failed = True
                print(f"{guide}:{number}: $ {command}")
                print(f"  exit status {returncode}, the guide says {status}")
                print("  the guide shows:")
                for l in expected:
                    print("    " + l)
                print("  the command printed:")
                for l in actual:
                    print("    " + l)
                break
            print(f"ok {guide}:{number}: $ {command.splitlines()[0]}")
    finally:
        for p in background:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, signal.SIGKILL)
        if keep or failed:
            print(f"(the guide's folder is kept: {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if failed:
        sys.exit(1)
    print(f"{guide}: {len(commands)} commands ran as written")


if __name__ == "__main__":
    main()
