// The third-party RFC 9497 client @cloudflare/voprf-ts (version pinned in package-lock.json), used as is,
// against vigie-serve's POST /v1/oprf/{kind}/evaluate (tests/e2e/oprf_interop.sh).
//
//   node check.mjs URL PRESENT_CANONICAL... -- ABSENT_CANONICAL...
//
// OPRF mode: blinds "vigie:nir:<canonical>" for every value in one request (the library's own
// EvaluationRequest.serialize), finalizes the library's Evaluation.deserialize of the answer, and looks the
// output (the tag) up in the /v1/range bucket of its prefix: every present NIR must be found, no absent one.
// VOPRF mode: the library verifies the server's batched DLEQ proof against the key of /v1/oprf/key.
// Prints one JSON line of results; exits 1 on any mismatch.
import { Evaluation, OPRFClient, Oprf, VOPRFClient } from '@cloudflare/voprf-ts';

const [url, ...rest] = process.argv.slice(2);
const sep = rest.indexOf('--');
const present = rest.slice(0, sep), absent = rest.slice(sep + 1);
const suite = Oprf.Suite.P256_SHA256;
const enc = new TextEncoder();
const hex = (b) => Buffer.from(b).toString('hex');

async function evaluate(client, values, query = '') {
  const inputs = values.map((v) => enc.encode(`vigie:nir:${v}`));
  const [finData, request] = await client.blind(inputs);
  const res = await fetch(`${url}/v1/oprf/nir/evaluate${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: request.serialize(),
  });
  if (res.status !== 200) throw new Error(`evaluate: HTTP ${res.status} ${await res.text()}`);
  const evaluation = Evaluation.deserialize(suite, new Uint8Array(await res.arrayBuffer()));
  return (await client.finalize(finData, evaluation)).map(hex);
}

const info = await (await fetch(`${url}/v1/index`)).json();
const key = await (await fetch(`${url}/v1/oprf/key`)).json();
const p = info.prefix_hex, w = info.suffix_hex;
async function inIndex(tag) {
  const bucket = await (await fetch(`${url}/v1/range/nir/${tag.slice(0, p)}`)).json();
  return bucket.entries.some((e) => e[0] === tag.slice(p, p + w));
}

const values = [...present, ...absent];
const tags = await evaluate(new OPRFClient(suite), values);
const found = await Promise.all(tags.map(inIndex));
const out = { suite: key.suite, present: present.length, absent: absent.length, mismatches: 0 };
values.forEach((v, i) => { if (found[i] !== i < present.length) out.mismatches++; });
// The same input twice gives the same tag (fresh blinds each time).
out.repeatable = (await evaluate(new OPRFClient(suite), [values[0]]))[0] === tags[0];

// VOPRF: the library checks the proof against the published key (a wrong key must fail).
const pub = Uint8Array.from(Buffer.from(key.public_key, 'hex'));
const voprf = await evaluate(new VOPRFClient(suite, pub), values.slice(0, 3), '?verifiable=1');
out.voprf_verified = voprf.length === 3;
// VOPRF hashes inputs with its own context string: its outputs are not the index's (OPRF-mode) tags.
out.voprf_differs = voprf[0] !== tags[0];
const wrong = Uint8Array.from(pub);
wrong[0] ^= 1;  // 02 <-> 03: the negated key
try {
  await evaluate(new VOPRFClient(suite, wrong), values.slice(0, 1), '?verifiable=1');
  out.wrong_key_rejected = false;
} catch {
  out.wrong_key_rejected = true;
}
console.log(JSON.stringify(out));
const ok = out.mismatches === 0 && out.repeatable && out.voprf_verified && out.voprf_differs && out.wrong_key_rejected;
process.exit(ok ? 0 : 1);
