// The client side of the oprf-p256 scheme (PRODUCT.md §3): RFC 9497 OPRF, suite P256-SHA256, mode OPRF,
// over the vendored @noble/curves (its RFC 9497 module, used as is; see web/scripts/vendor.mjs).
//
// blind() hides the input behind a random scalar: the blinded element sent to the server is a uniformly
// random point, whatever the input. The server evaluates it verifiably: its answer carries a DLEQ proof
// that evaluated = k·blinded for the k whose public key GET /v1/oprf/key publishes, the same key for
// everyone. finalize() checks that proof, then removes the blind and hashes the result with the input into
// the 32-byte tag; without the proof a server could evaluate with a key of its own for each visitor and
// recognise them by their tags. The blind and the input never leave this module's callers.
//
// The modes, as vigie-serve uses them (core/oprf.cc): the tags of the index are OPRF-mode outputs, so
// blinding hashes to the curve with the OPRF context string ("HashToGroup-OPRFV1-\x00-P256-SHA256"),
// while the proof is the VOPRF one, with the VOPRF context string ("OPRFV1-\x01-P256-SHA256" in its
// Seed- and HashToScalar- DSTs). Finalize's hash has no context string in either mode, so the library's
// VOPRF finalize (proof check, then unblind and hash) gives the OPRF-mode output of an OPRF-mode blind.
//
// Wire format of POST /v1/oprf/{kind}/evaluate?verifiable=1 (docs/API.md): request u16be count || count ×
// 33-byte compressed points; response u16be count || count × 33-byte points || mode byte (1 = VOPRF) ||
// 64-byte proof (c || s).
// Pure functions, no DOM; loaded only when an index uses the scheme (app.js imports it on demand).
import { p256, p256_oprf } from './vendor-noble-curves-nist.js';

export const SCHEME = 'oprf-p256';
export const SUITE = 'P256-SHA256';
export const ELEMENT_BYTES = 33;
export const PROOF_BYTES = 64;
export const MODE_VOPRF = 1;
// The query that asks vigie-serve for a proof with the evaluation.
export const VERIFIABLE_QUERY = '?verifiable=1';

// The OPRF input for an identifier: the same string the sha256 scheme hashes.
export function oprfInput(kind, canonical) {
  return new TextEncoder().encode(`vigie:${kind}:${canonical}`);
}

function randomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

function fromHex(text) {
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

// A point as the wire carries it: 33 bytes, 02 or 03 then x, on the curve, not the identity (which has no
// compressed form anyway). Throws `oprf.point` otherwise.
export function checkElement(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== ELEMENT_BYTES || (bytes[0] !== 2 && bytes[0] !== 3)) {
    throw new Error('oprf.point');
  }
  let point;
  try {
    point = p256.Point.fromBytes(bytes);
  } catch {
    throw new Error('oprf.point');
  }
  if (point.equals(p256.Point.ZERO)) throw new Error('oprf.point');
  return bytes;
}

// The server's public key from the body of GET /v1/oprf/key: this suite, OPRF-mode tags (the only ones this
// page can finalize into the index's tags), and a valid compressed point. Throws `oprf.key` otherwise: with
// no key to check the proof against, no answer can be trusted.
export function parsePublicKey(body) {
  if (!body || body.suite !== SUITE || body.mode !== 'oprf') throw new Error('oprf.key');
  const text = body.public_key;
  if (typeof text !== 'string' || !/^[0-9a-fA-F]{66}$/.test(text)) throw new Error('oprf.key');
  try {
    return checkElement(fromHex(text));
  } catch {
    throw new Error('oprf.key');
  }
}

// Blind(input): { blind (32-byte scalar, kept), blindedElement (33 bytes, sent) }. `rng(n)` returns n random
// bytes (tests pass a fixed one to replay the RFC vectors). OPRF mode: the index's tags are OPRF outputs.
export function blind(input, rng = randomBytes) {
  const { blind: scalar, blinded } = p256_oprf.oprf.blind(input, rng);
  return { blind: scalar, blindedElement: checkElement(blinded) };
}

// Finalize of a verified evaluation: `items` are { input, blind, blindedElement, evaluatedElement }, all
// covered by the one batched `proof` of the server's answer. Returns the 32-byte outputs only once the proof
// shows evaluatedElement = k·blindedElement for every item, with k the secret of `publicKey`; throws
// `oprf.point` for a malformed element, `oprf.proof` for a proof that does not verify.
export function finalize(items, publicKey, proof) {
  if (!Array.isArray(items) || items.length < 1) throw new Error('oprf.count');
  checkElement(publicKey);
  if (!(proof instanceof Uint8Array) || proof.length !== PROOF_BYTES) throw new Error('oprf.proof');
  const batch = items.map((item) => ({
    input: item.input,
    blind: item.blind,
    blinded: checkElement(item.blindedElement),
    evaluated: checkElement(item.evaluatedElement),
  }));
  try {
    return p256_oprf.voprf.finalizeBatch(batch, publicKey, proof);
  } catch {
    // The elements were checked above, so what is left to fail is the proof (or its scalars' range).
    throw new Error('oprf.proof');
  }
}

// The body of an evaluate request for these blinded elements.
export function encodeRequest(elements) {
  if (elements.length < 1 || elements.length > 0xffff) throw new Error('oprf.count');
  const body = new Uint8Array(2 + elements.length * ELEMENT_BYTES);
  body[0] = elements.length >> 8;
  body[1] = elements.length & 0xff;
  elements.forEach((element, i) => body.set(checkElement(element), 2 + i * ELEMENT_BYTES));
  return body;
}

// A verifiable evaluate response, which must answer exactly `count` elements in VOPRF mode, proof included:
// { evaluated (33-byte points), proof (64 bytes) }. Throws `oprf.response.length`, `oprf.response.count`,
// `oprf.response.mode` (an OPRF-mode answer: no proof, so nothing to check it with) or `oprf.point`.
export function parseResponse(bytes, count) {
  const body = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (body.length < 3) throw new Error('oprf.response.length');
  const n = (body[0] << 8) | body[1];
  if (n !== count) throw new Error('oprf.response.count');
  const modeAt = 2 + n * ELEMENT_BYTES;
  if (body.length < modeAt + 1) throw new Error('oprf.response.length');
  if (body[modeAt] !== MODE_VOPRF) throw new Error('oprf.response.mode');
  if (body.length !== modeAt + 1 + PROOF_BYTES) throw new Error('oprf.response.length');
  const evaluated = [];
  for (let i = 0; i < n; i += 1) {
    evaluated.push(checkElement(body.slice(2 + i * ELEMENT_BYTES, 2 + (i + 1) * ELEMENT_BYTES)));
  }
  return { evaluated, proof: body.slice(modeAt + 1) };
}
