#!/usr/bin/env bash
# Pwned Passwords interoperability: the third-party `hibp` npm client (wKovacs64/hibp, exact version
# pinned in tests/hibp-client/package-lock.json), used unchanged with its `baseUrl` option, against
# vigie-serve on a sha1 index built from `vigie-gen --kind password-sha1` (whose plaintexts are
# vigie-synthetic-<seed>-<row>, so the test knows passwords that are in it): the right count for a present
# password (with and without Add-Padding), 0 for an absent one, and an NTLM range look-up on an ntlm index.
# Needs node >= 20.19 and npm; `npm ci` uses the registry or the local npm cache.
# Usage: hibp_client.sh TOOLS_DIR INDEXER_DIR SERVER_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
SERVE="$3/vigie-serve"
CLIENT_SRC="$(cd "$(dirname "$0")/../hibp-client" && pwd)"
command -v node >/dev/null && command -v npm >/dev/null || { echo "needs node and npm" >&2; exit 1; }


# The client, installed from the lock file into the work directory (the source tree stays clean).
mkdir client
cp "$CLIENT_SRC/package.json" "$CLIENT_SRC/package-lock.json" "$CLIENT_SRC/check.mjs" client/
(cd client && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)
expect_eq "hibp client version" "$(node -p 'require("./client/node_modules/hibp/package.json").version')" \
  "$(node -p 'require("./client/package-lock.json").packages["node_modules/hibp"].version')"

seed=61
"$GEN" --kind password-sha1 --rows 30000 --seed $seed -o sha1.txt 2>/dev/null
"$VI" create --no-padding --index pw --scheme sha1 >/dev/null
"$VI" define --index pw --breach pwned-passwords --title "Pwned Passwords" --date 2024-01-01 \
  --data-classes passwords >/dev/null
"$VI" add --index pw --breach pwned-passwords --input sha1.txt --kind password --no-progress >/dev/null

row=1234
present="vigie-synthetic-$seed-$row"
hash=$(printf '%s' "$present" | sha1sum | cut -c1-40 | tr a-f A-F)
expect_eq "row $row of the dump is the SHA-1 of $present" "$(sed -n "$((row + 1))p" sha1.txt | cut -d: -f1)" "$hash"
# The count the index holds: every line of that hash, summed.
expected=$(awk -F: -v h="$hash" '$1 == h { s += $2 } END { print s + 0 }' sha1.txt)
absent="vigie-not-in-the-dump-$RANDOM"
grep -q "^$(printf '%s' "$absent" | sha1sum | cut -c1-40 | tr a-f A-F):" sha1.txt && fail "absent password is absent"

"$GEN" --kind password-ntlm --rows 5000 --seed 62 -o ntlm.txt 2>/dev/null
"$VI" create --no-padding --index nt --scheme ntlm >/dev/null
"$VI" define --index nt --breach pp-ntlm --title "PP NTLM" --date 2024-01-01 --data-classes passwords >/dev/null
"$VI" add --index nt --breach pp-ntlm --input ntlm.txt --kind password --no-progress >/dev/null
ntlm_hash=$(sed -n '100p' ntlm.txt | cut -d: -f1)
ntlm_expected=$(awk -F: -v h="$ntlm_hash" '$1 == h { s += $2 } END { print s + 0 }' ntlm.txt)

start_server sha1 --index pw --rate-limit 0
SHA1_PORT=$PORT
start_server ntlm --index nt --rate-limit 0
NTLM_PORT=$PORT

(cd client && node check.mjs "http://127.0.0.1:$SHA1_PORT" "$present" "$absent" "http://127.0.0.1:$NTLM_PORT" \
  "$ntlm_hash") > result.json
cat result.json
expect_eq "hibp pwnedPassword: count of a present password" "$(json '["present"]' < result.json)" "$expected"
expect_eq "hibp pwnedPassword with Add-Padding" "$(json '["present_padded"]' < result.json)" "$expected"
expect_eq "hibp pwnedPassword: absent password" "$(json '["absent"]' < result.json)" 0
expect_eq "hibp pwnedPasswordRange mode ntlm" "$(json '["ntlm"]' < result.json)" "$ntlm_expected"
[ "$expected" -gt 0 ] || fail "the present password has a positive count"
finish
