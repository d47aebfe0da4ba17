// The k-anonymity look-up of docs/API.md, for the page: canonical identifier -> tag (SHA-256 of
// "vigie:{kind}:{canonical}", WebCrypto) -> prefix sent to the server, suffix matched here.
//
// Only `prefix` ever reaches `fetchJson`: the tag, its suffix and the identifier stay in this module's
// locals. Pure apart from the injected fetchJson and WebCrypto; no DOM, so node tests run it as is.

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

// The whole look-up. `fetchJson(path)` gets a path relative to the API root ("v1/range/nir/9caf1") and
// resolves to the parsed JSON. Resolves to { found, breaches (names), prefix }.
export async function lookUp(kind, canonical, info, fetchJson, subtle = globalThis.crypto.subtle) {
  const tag = await tagHex(kind, canonical, subtle);
  const { prefix, suffix } = splitTag(tag, info);
  const body = await fetchJson(`v1/range/${encodeURIComponent(kind)}/${prefix}`);
  const breaches = matchRange(body, { kind, prefix, suffix });
  return { found: breaches !== null && breaches.length > 0, breaches: breaches || [], prefix };
}
