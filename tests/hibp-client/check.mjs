// Drives the unmodified `hibp` npm client (pinned in package.json) against a Pwned Passwords-compatible
// base URL and prints what it reports, one JSON object: tests/e2e/hibp_client.sh compares it with the
// counts it expects from the generated dump.
// Usage: node check.mjs BASE_URL PRESENT_PASSWORD ABSENT_PASSWORD [NTLM_BASE_URL NTLM_HASH]
import { webcrypto } from 'node:crypto';

// The client hashes with the global Web Crypto API, global from Node 19 on; Debian 12's Node 18 has it
// only in node:crypto. (The library itself is not touched.)
if (!globalThis.crypto) globalThis.crypto = webcrypto;
const { pwnedPassword, pwnedPasswordRange } = await import('hibp');

const [base, present, absent, ntlmBase, ntlmHash] = process.argv.slice(2);
const out = {
  present: await pwnedPassword(present, { baseUrl: base }),
  present_padded: await pwnedPassword(present, { baseUrl: base, addPadding: true }),
  absent: await pwnedPassword(absent, { baseUrl: base }),
};
if (ntlmBase) {
  const range = await pwnedPasswordRange(ntlmHash.slice(0, 5), { baseUrl: ntlmBase, mode: 'ntlm' });
  out.ntlm = range[ntlmHash.slice(5)] ?? 0;
}
console.log(JSON.stringify(out));
