#!/usr/bin/env bash
# Pwned Passwords mirror indexes (sha1, ntlm): HASH:COUNT lines, counts kept, kinds policed.
source "$(dirname "$0")/lib.sh" "$@"

"$GEN" --kind password-sha1 --rows 50000 --seed 41 -o sha1.txt 2>/dev/null
"$VI" create --no-padding --index pw --scheme sha1 > create.txt
grep -q "suffix 35 hex" create.txt || fail "sha1 index stores the 35-hex HIBP suffix: $(cat create.txt)"
"$VI" define --index pw --breach pwned-passwords --title "Pwned Passwords" --date 2024-01-01 --data-classes passwords >/dev/null
expect_exit "sha1 index refuses NIRs" 2 "$VI" add --index pw --breach pwned-passwords --input sha1.txt --kind nir
"$VI" add --index pw --breach pwned-passwords --input sha1.txt --kind password --json --no-progress > add.json
expect_eq "hash lines accepted" "$(json '["identifiers"]' < add.json)" 50000

# Row 7's plaintext is known to the test (the generator's synthetic pattern); its count is on its line.
hash=$(printf 'vigie-synthetic-41-7' | sha1sum | cut -c1-40 | tr a-f A-F)
line=$(grep "^$hash:" sha1.txt)
[ -n "$line" ] || fail "generator line for row 7 not found"
"$CHECK" --index pw --kind password --json "$hash" > hit.json
expect_eq "hash found" "$(json '["found"]' < hit.json)" true
expect_eq "count kept" "$(json '["count"]' < hit.json)" "${line#*:}"
"$CHECK" --index pw --kind password --json "$(printf "not-in-the-corpus" | sha1sum | cut -c1-40)" > miss.json || true
expect_eq "other hash absent" "$(json '["found"]' < miss.json)" false

# A second dump of the same breach with a larger count for one hash: the larger count wins.
printf '%s:%s\n' "$hash" 99999999 > update.txt
"$VI" add --index pw --breach pwned-passwords --input update.txt --kind password --json --no-progress > upd.json
"$CHECK" --index pw --kind password --json "$hash" > hit2.json
expect_eq "count updated to the larger snapshot" "$(json '["count"]' < hit2.json)" 99999999
"$VI" verify --index pw >/dev/null || fail "verify sha1 index"

"$GEN" --kind password-ntlm --rows 20000 --seed 42 -o ntlm.txt 2>/dev/null
"$VI" create --no-padding --index nt --scheme ntlm >/dev/null
"$VI" define --index nt --breach pp-ntlm --title "PP NTLM" --date 2024-01-01 --data-classes passwords >/dev/null
"$VI" add --index nt --breach pp-ntlm --input ntlm.txt --kind password --json --no-progress > nt.json
expect_eq "ntlm lines accepted" "$(json '["identifiers"]' < nt.json)" 20000
first=$(head -n 1 ntlm.txt | cut -d: -f1)
expect_exit "ntlm hash found" 0 "$CHECK" --index nt --kind password "$first"
expect_exit "sha1 hash on an ntlm index is invalid" 2 "$CHECK" --index nt --kind password "$hash"
"$VI" verify --index nt >/dev/null || fail "verify ntlm index"

# An e-mail index (sha256) takes e-mails and phones without any opt-in.
"$GEN" --rows 3000 --seed 43 --email -o mails.csv 2>/dev/null
"$VI" create --no-padding --index mail --scheme sha256 >/dev/null
"$VI" define --index mail --breach m --title M --date 2024-01-01 --data-classes email >/dev/null
"$VI" add --index mail --breach m --input mails.csv --kind email --column email --json --no-progress > m.json
expect_eq "e-mails accepted" "$(json '["identifiers"]' < m.json)" 3000
finish
