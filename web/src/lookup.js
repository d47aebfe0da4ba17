// The page's look-ups: canonical identifier -> tag -> what is sent -> matched here. The tag is SHA-256 of
// "vigie:{kind}:{canonical}" (WebCrypto) on a sha256 index; on an oprf-p256 index it is the RFC 9497 OPRF
// output of that string under the server's key, obtained by one blinded, verifiable evaluation
// (web/src/oprf.js): only the blinded element leaves, and the evaluation is used only once its proof
// verifies against the server's published key.
//
// Two paths (PRODUCT.md §3, §3b). The private path, the page's: the set's manifest (cached by the caller),
// then the ONE shard named by the tag's first shard_bits bits, decoded and searched here (web/src/set.js);
// the server learns shard_bits bits (6 by default). The range path (docs/API.md /v1/range: the first
// prefix_hex hex digits sent, the bucket matched here) stays for clients that prefer small answers; the page
// no longer calls it.
//
// Only the shard number or the prefix (and, for OPRF, the blinded element) ever reaches the injected
// fetchJson/fetchBytes/postBinary: the identifier, the blind, the tag and the rest of it stay in this
// module's locals. No DOM, so node tests run it.
import { findInShard, shardPath, splitSetTag } from './set.js';

export const RANGE_VERSION = 1;

function hex(bytes) {
  let out = '';
  for (const b of new Uint8Array(bytes)) out += b.toString(16).padStart(2, '0');
  return out;
}

// SHA-256("vigie:{kind}:{canonical}") (PRODUCT.md §3, scheme sha256), as bytes and as lower-case hex.
export async function tagBytes(kind, canonical, subtle = globalThis.crypto.subtle) {
  const data = new TextEncoder().encode(`vigie:${kind}:${canonical}`);
  return new Uint8Array(await subtle.digest('SHA-256', data));
}

export async function tagHex(kind, canonical, subtle = globalThis.crypto.subtle) {
  return hex(await tagBytes(kind, canonical, subtle));
}

// Checks the body of GET /v1/index (server/index_info.h) and returns what the page needs.
export function parseIndexInfo(info) {
  if (!info || info.v !== 1) throw new Error('index.version');
  const prefixHex = info.prefix_hex;
  const suffixHex = info.suffix_hex;
  if (!Number.isInteger(prefixHex) || prefixHex < 1 || prefixHex > 8) throw new Error('index.prefix');
  if (!Number.isInteger(suffixHex) || suffixHex < 1 || prefixHex + suffixHex > 64) throw new Error('index.suffix');
  return {
    scheme: String(info.scheme),
    prefixHex,
    suffixHex,
    kinds: Array.isArray(info.kinds) ? info.kinds.map(String) : [],
  };
}

// The prefix (sent) and the suffix (kept) of a tag, for an index's layout.
export function splitTag(tag, { prefixHex, suffixHex }) {
  return { prefix: tag.slice(0, prefixHex), suffix: tag.slice(prefixHex, prefixHex + suffixHex) };
}

// Finds `suffix` in a /v1/range body (version 1; entries sorted by suffix) and returns the names of the
// breaches it appeared in, or null when absent. Throws on a body this page cannot read.
export function matchRange(body, { kind, prefix, suffix }) {
  if (!body || body.v !== RANGE_VERSION) throw new Error('range.version');
  if (body.kind !== kind || String(body.prefix).toLowerCase() !== prefix) throw new Error('range.bucket');
  if (body.suffix_hex !== suffix.length) throw new Error('range.suffix');
  const entries = Array.isArray(body.entries) ? body.entries : [];
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid][0] < suffix) lo = mid + 1;
    else hi = mid;
  }
  if (lo === entries.length || entries[lo][0] !== suffix) return null;
  const names = Array.isArray(body.breaches) ? body.breaches : [];
  return entries[lo][1].map((i) => names[i]).filter((n) => typeof n === 'string');
}

// Lower-case hex of the OPRF output for "vigie:{kind}:{canonical}" (PRODUCT.md §3, scheme oprf-p256): Blind
// here, verifiable BlindEvaluate by the server (`postBinary(path, bytes)` resolves to the response's bytes),
// proof check against `publicKey` (the 33 bytes of GET v1/oprf/key: oprf.parsePublicKey) and Finalize here.
// `oprf` is web/src/oprf.js. Throws (`oprf.*`) rather than return a tag the proof does not vouch for: a
// server evaluating with a key of its own would otherwise turn every look-up into a "not found".
export async function oprfTagHex(kind, canonical, postBinary, oprf, publicKey) {
  return hex(await oprfTag(kind, canonical, postBinary, oprf, publicKey));
}

// The same, as the 32 bytes.
export async function oprfTag(kind, canonical, postBinary, oprf, publicKey) {
  const input = oprf.oprfInput(kind, canonical);
  const { blind, blindedElement } = oprf.blind(input);
  const path = `v1/oprf/${encodeURIComponent(kind)}/evaluate${oprf.VERIFIABLE_QUERY}`;
  const answer = await postBinary(path, oprf.encodeRequest([blindedElement]));
  const { evaluated: [evaluatedElement], proof } = oprf.parseResponse(answer, 1);
  const [output] = oprf.finalize([{ input, blind, blindedElement, evaluatedElement }], publicKey, proof);
  return output;
}

// The tag of an identifier under the index's scheme (see tagBytes and oprfTag for `io`).
async function tagOf(kind, canonical, scheme, io) {
  const { postBinary, oprf, publicKey, subtle = globalThis.crypto.subtle } = io;
  if (scheme === 'sha256') return tagBytes(kind, canonical, subtle);
  if (scheme === 'oprf-p256') return oprfTag(kind, canonical, postBinary, oprf, publicKey);
  throw new Error('index.scheme');
}

// The whole look-up on the range path. `io.fetchJson(path)` gets a path relative to the API root
// ("v1/range/nir/9caf1") and resolves to the parsed JSON; on an oprf-p256 index `io.postBinary`, `io.oprf`
// and `io.publicKey` (see oprfTagHex) are needed too; `io.subtle` defaults to WebCrypto's. Resolves to
// { found, breaches (names), prefix }.
export async function lookUp(kind, canonical, info, io) {
  const tag = hex(await tagOf(kind, canonical, info.scheme, io));
  const { prefix, suffix } = splitTag(tag, info);
  const body = await io.fetchJson(`v1/range/${encodeURIComponent(kind)}/${prefix}`);
  const breaches = matchRange(body, { kind, prefix, suffix });
  return { found: breaches !== null && breaches.length > 0, breaches: breaches || [], prefix };
}

// The shard of `manifest` where `tag` would be, fetched (`fresh`: past any HTTP cache) and searched: the
// search result (set.js findInShard, every entry checked), the shard number asked for, and the time of the
// fetch and of the search (ms). Breach positions are checked later (checkShard), against the manifest of
// the shard's own generation: a newer shard may name a breach the cached manifest does not list yet.
async function searchShard(kind, tag, manifest, io, fresh) {
  const { shard, value } = splitSetTag(tag, manifest.tagBits, manifest.shardBits);
  const t0 = globalThis.performance.now();
  const bytes = await io.fetchBytes(shardPath(kind, shard), { fresh });
  const t1 = globalThis.performance.now();
  const hit = findInShard(bytes, Infinity, value, { full: true });
  return { asked: shard, hit, fetch: t1 - t0, match: globalThis.performance.now() - t1 };
}

// A shard that answers another question than the one asked, or names breaches its manifest does not list,
// is an error, never a "not found".
function checkShard(kind, manifest, { asked, hit }) {
  if (hit.kind !== kind || hit.shardBits !== manifest.shardBits || hit.tagBits !== manifest.tagBits) {
    throw new Error('set.mismatch');
  }
  if (hit.shard !== asked) throw new Error('set.mismatch');
  const breaches = manifest.breaches.length;
  if (hit.combos.some((combo) => combo.some((position) => position >= breaches))) throw new Error('set.combos');
}

// The whole look-up on the private path. `io.manifest(kind, { fresh })` resolves to the kind's parsed
// manifest (set.js parseSetManifest; the caller caches it, `fresh` asks past every cache);
// `io.fetchBytes(path, { fresh })` to a response's bytes; on an oprf-p256 index `io.postBinary`, `io.oprf`
// and `io.publicKey` as for oprfTag; `io.subtle` defaults to WebCrypto's. Exactly one shard request, unless
// the index changed between the manifest and the shard (their generations differ): then the manifest is
// fetched again, once, and the shard again if the new manifest does not describe the one already here.
// Resolves to { found, breaches (names), shard, timing: { start (performance.now()), tag, fetch, match } (ms:
// the tag (with the manifest, in parallel), then the shard's fetch, then its decoding and the match) }.
// Throws SetError (`set.*`) for a damaged shard, `set.mismatch` for a shard of another kind, geometry or
// number, `set.combos` for breach positions beyond the manifest's list, `set.generation` when the
// generations still differ.
export async function lookUpSet(kind, canonical, info, io) {
  const now = () => globalThis.performance.now();
  const t0 = now();
  const [tag, first] = await Promise.all([tagOf(kind, canonical, info.scheme, io), io.manifest(kind)]);
  const t1 = now();
  let manifest = first;
  if (manifest.scheme !== info.scheme) throw new Error('set.scheme');
  let found = await searchShard(kind, tag, manifest, io, false);
  if (found.hit.generation !== manifest.generation) {
    manifest = await io.manifest(kind, { fresh: true });
    const same = splitSetTag(tag, manifest.tagBits, manifest.shardBits).shard === found.asked
      && found.hit.generation === manifest.generation;
    if (!same) found = await searchShard(kind, tag, manifest, io, true);
    if (found.hit.generation !== manifest.generation) throw new Error('set.generation');
  }
  checkShard(kind, manifest, found);
  const { index, combo } = found.hit;
  const breaches = index < 0 ? [] : combo.map((i) => manifest.breaches[i]);
  const timing = { start: t0, tag: t1 - t0, fetch: found.fetch, match: found.match };
  return { found: breaches.length > 0, breaches, shard: found.asked, timing };
}
