// The k-anonymity look-up of docs/API.md, for the page: canonical identifier -> tag -> prefix sent to the
// server, suffix matched here. The tag is SHA-256 of "vigie:{kind}:{canonical}" (WebCrypto) on a sha256
// index; on an oprf-p256 index it is the RFC 9497 OPRF output of that string under the server's key,
// obtained by one blinded, verifiable evaluation (web/src/oprf.js): only the blinded element and then the
// prefix leave, and the evaluation is used only once its proof verifies against the server's published key.
//
// Only the prefix (and, for OPRF, the blinded element) ever reaches the injected fetchJson/postBinary: the
// identifier, the blind, the tag and its suffix stay in this module's locals. No DOM, so node tests run it.

export const RANGE_VERSION = 1;

function hex(bytes) {
  let out = '';
  for (const b of new Uint8Array(bytes)) out += b.toString(16).padStart(2, '0');
  return out;
}

// Lower-case hex of SHA-256("vigie:{kind}:{canonical}") (PRODUCT.md §3, scheme sha256).
export async function tagHex(kind, canonical, subtle = globalThis.crypto.subtle) {
  const data = new TextEncoder().encode(`vigie:${kind}:${canonical}`);
  return hex(await subtle.digest('SHA-256', data));
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
  const input = oprf.oprfInput(kind, canonical);
  const { blind, blindedElement } = oprf.blind(input);
  const path = `v1/oprf/${encodeURIComponent(kind)}/evaluate${oprf.VERIFIABLE_QUERY}`;
  const answer = await postBinary(path, oprf.encodeRequest([blindedElement]));
  const { evaluated: [evaluatedElement], proof } = oprf.parseResponse(answer, 1);
  const [output] = oprf.finalize([{ input, blind, blindedElement, evaluatedElement }], publicKey, proof);
  return hex(output);
}

// The whole look-up. `io.fetchJson(path)` gets a path relative to the API root ("v1/range/nir/9caf1") and
// resolves to the parsed JSON; on an oprf-p256 index `io.postBinary`, `io.oprf` and `io.publicKey` (see
// oprfTagHex) are needed too; `io.subtle` defaults to WebCrypto's. Resolves to { found, breaches (names),
// prefix }.
export async function lookUp(kind, canonical, info, io) {
  const { fetchJson, postBinary, oprf, publicKey, subtle = globalThis.crypto.subtle } = io;
  let tag;
  if (info.scheme === 'sha256') tag = await tagHex(kind, canonical, subtle);
  else if (info.scheme === 'oprf-p256') tag = await oprfTagHex(kind, canonical, postBinary, oprf, publicKey);
  else throw new Error('index.scheme');
  const { prefix, suffix } = splitTag(tag, info);
  const body = await fetchJson(`v1/range/${encodeURIComponent(kind)}/${prefix}`);
  const breaches = matchRange(body, { kind, prefix, suffix });
  return { found: breaches !== null && breaches.length > 0, breaches: breaches || [], prefix };
}
