// The page's OPRF client (web/src/oprf.js, over the vendored @noble/curves) against RFC 9497's P256-SHA256
// OPRF-mode vectors in tests/vectors/rfc9497-p256.txt: with the vector's blind, BlindedElement and, from
// the vector's EvaluationElement, Output must match. Also: the wire encoding, strict parsing of the server's
// answer, and the whole Blind -> BlindEvaluate -> Finalize round equal to Evaluate.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { lookUp, parseIndexInfo, splitTag } from '../src/lookup.js';
import * as oprf from '../src/oprf.js';
import {
  blind, checkElement, encodeRequest, finalize, oprfInput, parseResponse,
} from '../src/oprf.js';
import { p256_oprf } from '../src/vendor-noble-curves-nist.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fromHex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b) => Buffer.from(b).toString('hex');
const rng = (n) => new Uint8Array(randomBytes(n));

// The RFC's blinds are scalars, the library draws them as RandomScalar = (x mod (n-1)) + 1 from 48 random
// bytes (RFC 9380 hash_to_field sizing): this rng makes it draw exactly `blindHex`.
function replay(blindHex) {
  return (n) => fromHex((BigInt(`0x${blindHex}`) - 1n).toString(16).padStart(2 * n, '0'));
}

// The "## OPRF Mode" section: skSm and its test vectors as { Input, Blind, ... } (hex strings).
function oprfVectors() {
  const path = join(repo, 'tests', 'vectors', 'rfc9497-p256.txt');
  assert.ok(existsSync(path), `${path} is missing`);
  const text = readFileSync(path, 'utf8');
  const section = text.split(/^## /m).find((s) => s.startsWith('OPRF Mode'));
  assert.ok(section, 'no "## OPRF Mode" section');
  const field = (chunk, name) => chunk.match(new RegExp(`^${name} = ([0-9a-f,]+)$`, 'm'))?.[1];
  const vectors = section.split(/^### /m).slice(1).map((chunk) => ({
    name: chunk.split('\n')[0],
    ...Object.fromEntries(['Input', 'Blind', 'BlindedElement', 'EvaluationElement', 'Output']
      .map((k) => [k, field(chunk, k)])),
  }));
  return { skSm: field(section, 'skSm'), vectors };
}

test('RFC 9497 A.3.1 (P256-SHA256, OPRF mode): BlindedElement and Output of every vector', () => {
  const { skSm, vectors } = oprfVectors();
  assert.match(skSm, /^[0-9a-f]{64}$/);
  assert.ok(vectors.length >= 2, 'at least the two batch-size-1 vectors');
  for (const v of vectors) {
    assert.ok(!v.Input.includes(','), `${v.name}: OPRF mode has no batch vectors`);
    const input = fromHex(v.Input);
    const b = blind(input, replay(v.Blind));
    assert.equal(toHex(b.blind), v.Blind, v.name);
    assert.equal(toHex(b.blindedElement), v.BlindedElement, v.name);
    // The server's step with the RFC's key reproduces EvaluationElement (so the vector is read right).
    assert.equal(toHex(p256_oprf.oprf.blindEvaluate(fromHex(skSm), b.blindedElement)), v.EvaluationElement, v.name);
    assert.equal(toHex(finalize(input, b.blind, fromHex(v.EvaluationElement))), v.Output, v.name);
  }
});

test('a random round equals Evaluate(sk, input); blinded elements differ every time', () => {
  const { secretKey } = p256_oprf.oprf.generateKeyPair();
  const input = oprfInput('nir', '185057800608491');
  assert.equal(new TextDecoder().decode(input), 'vigie:nir:185057800608491');
  const seen = new Set();
  for (let i = 0; i < 4; i += 1) {
    const b = blind(input, rng);
    seen.add(toHex(b.blindedElement));
    const evaluated = p256_oprf.oprf.blindEvaluate(secretKey, b.blindedElement);
    assert.equal(toHex(finalize(input, b.blind, evaluated)), toHex(p256_oprf.oprf.evaluate(secretKey, input)));
  }
  assert.equal(seen.size, 4);
  // Another input gives another output under the same key.
  assert.notEqual(toHex(p256_oprf.oprf.evaluate(secretKey, oprfInput('nir', '185057800608492'))),
    toHex(p256_oprf.oprf.evaluate(secretKey, input)));
});

// A compressed encoding whose x has no point: the smallest x for which x^3 - 3x + b is not a square mod p
// (Euler's criterion, computed here independently of the library).
function offCurvePoint() {
  const p = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
  const b = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
  const pow = (base, e) => {
    let result = 1n;
    for (let x = base % p; e > 0n; e >>= 1n, x = (x * x) % p) if (e & 1n) result = (result * x) % p;
    return result;
  };
  for (let x = 1n; ; x += 1n) {
    const rhs = (((x * x * x - 3n * x + b) % p) + p) % p;
    if (pow(rhs, (p - 1n) / 2n) === p - 1n) return fromHex(`02${x.toString(16).padStart(64, '0')}`);
  }
}

test('request encoding: u16be count || 33-byte points', () => {
  const a = blind(oprfInput('nir', '185057800608491'), rng).blindedElement;
  const b = blind(oprfInput('nir', '299122A00412345'), rng).blindedElement;
  const body = encodeRequest([a, b]);
  assert.equal(body.length, 2 + 66);
  assert.deepEqual([...body.slice(0, 2)], [0, 2]);
  assert.deepEqual(body.slice(2, 35), a);
  assert.deepEqual(body.slice(35), b);
  assert.throws(() => encodeRequest([]), /oprf.count/);
  assert.throws(() => encodeRequest([a.slice(1)]), /oprf.point/);
});

test('responses: exactly count points, OPRF mode byte, each a valid compressed point', () => {
  const good = fromHex('030de02ffec47a1fd53efcdd1c6faf5bdc270912b8749e783c7ca75bb412958832');
  const response = (count, points, tail = [0]) =>
    new Uint8Array([count >> 8, count & 0xff, ...points.flatMap((p) => [...p]), ...tail]);
  assert.deepEqual(parseResponse(response(1, [good]), 1), [good]);
  assert.deepEqual(parseResponse(response(1, [good]).buffer, 1), [good], 'an ArrayBuffer (fetch) is fine');
  assert.deepEqual(parseResponse(response(2, [good, good]), 2), [good, good]);
  const offCurve = offCurvePoint();
  const x = [...good.slice(1)];
  const cases = [
    ['empty', new Uint8Array(0), /oprf.response.length/],
    ['count only', new Uint8Array([0, 1]), /oprf.response.length/],
    ['count larger than asked', response(2, [good, good]), /oprf.response.count/],
    ['count 0', response(0, []), /oprf.response.count/],
    ['one point short', response(2, [good]), /oprf.count|oprf.response.count|oprf.response.length/],
    ['truncated point', response(1, [good.slice(0, 32)]), /oprf.response.length/],
    ['no mode byte', response(1, [good], []), /oprf.response.length/],
    ['VOPRF mode', response(1, [good], [1]), /oprf.response.mode/],
    ['VOPRF proof appended', response(1, [good], [1, ...new Uint8Array(64)]), /oprf.response.length/],
    ['uncompressed prefix', response(1, [[4, ...x]]), /oprf.point/],
    ['identity byte', response(1, [[0, ...new Uint8Array(32)]]), /oprf.point/],
    ['off the curve', response(1, [offCurve]), /oprf.point/],
  ];
  for (const [name, body, error] of cases) {
    assert.throws(() => parseResponse(body, name === 'one point short' ? 2 : 1), error, name);
  }
  assert.throws(() => checkElement(new Uint8Array(65)), /oprf.point/);
  assert.throws(() => finalize(oprfInput('nir', '1'), new Uint8Array(32).fill(1), offCurve), /oprf.point/);
});

test('look-up on an oprf-p256 index: only the blinded element and the prefix leave; found and absent', async () => {
  const { secretKey } = p256_oprf.oprf.generateKeyPair();
  const info = parseIndexInfo({ v: 1, scheme: 'oprf-p256', prefix_hex: 5, suffix_hex: 16, kinds: ['nir'] });
  const canonical = '185057800608491';
  const tag = toHex(p256_oprf.oprf.evaluate(secretKey, oprfInput('nir', canonical)));
  const { prefix, suffix } = splitTag(tag, info);
  const sent = [];
  // The server's side: BlindEvaluate with its key, answered in the wire format.
  const postBinary = async (path, body) => {
    sent.push({ path, body: toHex(body) });
    assert.equal(path, 'v1/oprf/nir/evaluate');
    assert.deepEqual([...body.slice(0, 2)], [0, 1]);
    return new Uint8Array([0, 1, ...p256_oprf.oprf.blindEvaluate(secretKey, body.slice(2)), 0]);
  };
  const bucket = (entries) => async (path) => {
    sent.push({ path, body: '' });
    return { v: 1, kind: 'nir', prefix, suffix_hex: 16, breaches: ['a', 'b'], entries };
  };
  const others = [['0000000000000000', [0]], ['ffffffffffffffff', [1]]];
  const found = await lookUp('nir', canonical, info,
    { fetchJson: bucket([others[0], [suffix, [1]], others[1]]), postBinary, oprf });
  assert.deepEqual(found, { found: true, breaches: ['b'], prefix });
  const absent = await lookUp('nir', canonical, info, { fetchJson: bucket(others), postBinary, oprf });
  assert.deepEqual(absent, { found: false, breaches: [], prefix });
  assert.deepEqual(sent.map((r) => r.path),
    ['v1/oprf/nir/evaluate', `v1/range/nir/${prefix}`, 'v1/oprf/nir/evaluate', `v1/range/nir/${prefix}`]);
  // Two looks at the same NIR send unrelated blinded elements; none carries the NIR, its tag or its hash.
  assert.notEqual(sent[0].body, sent[2].body);
  const sha = createHash('sha256').update(`vigie:nir:${canonical}`).digest('hex');
  const input = toHex(oprfInput('nir', canonical));
  for (const r of sent) {
    for (const secret of [canonical, input, tag, suffix, sha, sha.slice(5, 21)]) {
      assert.ok(!r.path.includes(secret) && !r.body.includes(secret), r.path);
    }
  }
  // A server answering in VOPRF mode, or with a broken point, is refused rather than trusted.
  const bad = (point, mode) => async () => new Uint8Array([0, 1, ...point, mode]);
  const good = p256_oprf.oprf.blindEvaluate(secretKey, blind(oprfInput('nir', '1'), rng).blindedElement);
  for (const [postBinary, error] of [[bad(offCurvePoint(), 0), /oprf.point/], [bad(good, 1), /oprf.response.mode/]]) {
    await assert.rejects(lookUp('nir', canonical, info, { fetchJson: bucket(others), postBinary, oprf }), error);
  }
  await assert.rejects(lookUp('nir', canonical, { ...info, scheme: 'sha1' }, { fetchJson: bucket(others) }),
    /index.scheme/);
});
