// The client side of the oprf-p256 scheme (PRODUCT.md §3): RFC 9497 OPRF, suite P256-SHA256, mode OPRF,
// over the vendored @noble/curves (its RFC 9497 module, used as is; see web/scripts/vendor.mjs).
//
// blind() hides the input behind a random scalar: the blinded element sent to the server is a uniformly
// random point, whatever the input. finalize() removes the blind from the server's answer and hashes it
// with the input into the 32-byte tag. The blind and the input never leave this module's callers.
// Wire format of POST /v1/oprf/{kind}/evaluate (docs/API.md): request u16be count || count × 33-byte
// compressed points; response u16be count || count × 33-byte points || mode byte (0 = OPRF).
// Pure functions, no DOM; loaded only when an index uses the scheme (app.js imports it on demand).
import { p256, p256_oprf } from './vendor-noble-curves-nist.js';

export const SCHEME = 'oprf-p256';
export const ELEMENT_BYTES = 33;
export const MODE_OPRF = 0;

// The OPRF input for an identifier: the same string the sha256 scheme hashes.
export function oprfInput(kind, canonical) {
  return new TextEncoder().encode(`vigie:${kind}:${canonical}`);
}

function randomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
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

// Blind(input): { blind (32-byte scalar, kept), blindedElement (33 bytes, sent) }. `rng(n)` returns n random
// bytes (tests pass a fixed one to replay the RFC vectors).
export function blind(input, rng = randomBytes) {
  const { blind: scalar, blinded } = p256_oprf.oprf.blind(input, rng);
  return { blind: scalar, blindedElement: checkElement(blinded) };
}

// Finalize(input, blind, evaluatedElement): the 32-byte OPRF output. Rejects a malformed element.
export function finalize(input, blindScalar, evaluatedElement) {
  checkElement(evaluatedElement);
  return p256_oprf.oprf.finalize(input, blindScalar, evaluatedElement);
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

// The evaluated elements of an evaluate response, which must answer exactly `count` elements in OPRF mode.
// Throws `oprf.response.length`, `oprf.response.count`, `oprf.response.mode` or `oprf.point`.
export function parseResponse(bytes, count) {
  const body = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (body.length < 3) throw new Error('oprf.response.length');
  const n = (body[0] << 8) | body[1];
  if (n !== count) throw new Error('oprf.response.count');
  // A VOPRF answer would carry a 64-byte proof after the mode byte: refused by the length check.
  if (body.length !== 2 + n * ELEMENT_BYTES + 1) throw new Error('oprf.response.length');
  if (body[body.length - 1] !== MODE_OPRF) throw new Error('oprf.response.mode');
  const elements = [];
  for (let i = 0; i < n; i += 1) {
    elements.push(checkElement(body.slice(2 + i * ELEMENT_BYTES, 2 + (i + 1) * ELEMENT_BYTES)));
  }
  return elements;
}
