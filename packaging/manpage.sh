#!/usr/bin/env bash
# Writes one program's man page (section 1, gzipped) from its own --help and --version with help2man, so
# the page cannot drift from the program. A program with subcommands (vigie-index, vigie-check, vigie-tool)
# gets a COMMANDS section holding each subcommand's --help, made by help2man too.
#
#   manpage.sh PROGRAM "WHAT IT DOES (the NAME line)" OUTPUT.1.gz [INCLUDE.h2m ...]
#
# Run by packaging/CMakeLists.txt at build time; INCLUDE files add hand-written sections (SEE ALSO, FILES).
# Environment: HELP2MAN (default: help2man from PATH).
set -euo pipefail
help2man=${HELP2MAN:-help2man}
program=$1
name=$2
output=$3
shift 3
base=$(basename "$program")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

includes=()
for f in "$@"; do includes+=("--include=$f"); done

# CLI11 lists subcommands as "  NAME   description" lines under "Subcommands:".
subcommands=$("$program" --help | sed -n '/^Subcommands:$/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
if [ -n "$subcommands" ]; then
  {
    echo "[COMMANDS]"
    for sub in $subcommands; do
      # help2man documents a program, so give it one that answers --help for this subcommand alone.
      cat >"$work/sub" <<SH
#!/bin/sh
if [ "\$1" = --version ]; then exec "$program" --version; fi
exec "$program" $sub --help
SH
      chmod +x "$work/sub"
      echo ".SS \"$base $sub\""
      # Keep the body of that page: its synopsis, description and options become paragraphs of this one.
      "$help2man" --no-info --version-string=0 "$work/sub" |
        sed -n '/^\.SH SYNOPSIS/,$p' |
        sed -e '/^\.SH SYNOPSIS/d' -e 's/^\.SH DESCRIPTION/.PP/' -e 's/^\.SH OPTIONS/.PP\nOptions:/' \
            -e 's/^\.S[HS] \(.*\)/.PP\n\1/'
    done
  } >"$work/commands.h2m"
  includes+=("--include=$work/commands.h2m")
fi

"$help2man" --no-info --section=1 --name="$name" "${includes[@]}" --output="$work/$base.1" "$program"
# -n: no file name or time stamp in the gzip header, so the same page gives the same bytes.
gzip -n -9 -c "$work/$base.1" >"$output.tmp"
mv "$output.tmp" "$output"
