// The page's OPRF client (web/src/oprf.js, over the vendored @noble/curves) against RFC 9497's P256-SHA256
// vectors in tests/vectors/rfc9497-p256.txt. OPRF mode (A.3.1): with the vector's blind, BlindedElement and,
// from the vector's EvaluationElement, Output must match. VOPRF mode (A.3.2): the vectors' proofs verify with
// the page's proof check (VOPRF context string), and the test's proof generator reproduces them. The page's
// own flow mixes the two as vigie-serve does (core/oprf.cc): OPRF-mode blinding, a VOPRF-context proof over
// (public key, blinded, evaluated), OPRF-mode finalize; it must give the OPRF vectors' Output. Also: proofs
// for another key or over altered elements are refused, the wire encoding, strict parsing of the server's
// answer and key, and the whole Blind -> BlindEvaluate -> verify -> Finalize round equal to Evaluate.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { lookUp, lookUpSet, oprfTagHex, parseIndexInfo, splitTag } from '../src/lookup.js';
import * as oprf from '../src/oprf.js';
import {
  blind, checkElement, encodeRequest, finalize, oprfInput, parsePublicKey, parseResponse,
} from '../src/oprf.js';
import { parseSetManifest } from '../src/set.js';
import { p256, p256_oprf } from '../src/vendor-noble-curves-nist.js';
import { buildSet } from './set_encoder.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fromHex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b) => Buffer.from(b).toString('hex');
const rng = (n) => new Uint8Array(randomBytes(n));
const publicKeyOf = (secretKey) => p256.Point.BASE.multiply(BigInt(`0x${toHex(secretKey)}`)).toBytes(true);

// The RFC's blinds are scalars, the library draws them as RandomScalar = (x mod (n-1)) + 1 from 48 random
// bytes (RFC 9380 hash_to_field sizing): this rng makes it draw exactly `blindHex`.
function replay(blindHex) {
  return (n) => fromHex((BigInt(`0x${blindHex}`) - 1n).toString(16).padStart(2 * n, '0'));
}

// A section of the vectors file ("OPRF Mode", "VOPRF Mode"): its keys and its test vectors as { Input,
// Blind, ... }, each field a list (batch vectors hold comma-separated values).
function vectors(mode) {
  const path = join(repo, 'tests', 'vectors', 'rfc9497-p256.txt');
  assert.ok(existsSync(path), `${path} is missing`);
  const text = readFileSync(path, 'utf8');
  const section = text.split(/^## /m).find((s) => s.startsWith(`${mode} Mode`));
  assert.ok(section, `no "## ${mode} Mode" section`);
  const field = (chunk, name) => chunk.match(new RegExp(`^${name} = ([0-9a-f,]+)$`, 'm'))?.[1];
  const names = ['Input', 'Blind', 'BlindedElement', 'EvaluationElement', 'Proof', 'ProofRandomScalar', 'Output'];
  const list = section.split(/^### /m).slice(1).map((chunk) => ({
    name: chunk.split('\n')[0],
    ...Object.fromEntries(names.map((k) => [k, field(chunk, k)?.split(',')])),
  }));
  return { skSm: field(section, 'skSm'), pkSm: field(section, 'pkSm'), vectors: list };
}

// vigie-serve's verifiable evaluation (server/oprf_endpoint.cc, core/oprf.cc): evaluated_i = k·blinded_i
// and one batched DLEQ proof with the VOPRF context string, over whatever mode the client blinded in. The
// library's VOPRF BlindEvaluateBatch computes exactly that (the RFC's GenerateProof, ComputeCompositesFast).
function evaluateVerifiably(secretKey, blinded, proofRng = rng) {
  return p256_oprf.voprf.blindEvaluateBatch(secretKey, publicKeyOf(secretKey), blinded, proofRng);
}

// The binary answer of POST /v1/oprf/{kind}/evaluate?verifiable=1.
function answerBytes({ evaluated, proof }, mode = 1) {
  const n = evaluated.length;
  return new Uint8Array([n >> 8, n & 0xff, ...evaluated.flatMap((e) => [...e]), mode, ...proof]);
}

test('RFC 9497 A.3.1 (P256-SHA256, OPRF mode): BlindedElement and Output of every vector, proven', () => {
  const { skSm, vectors: list } = vectors('OPRF');
  assert.match(skSm, /^[0-9a-f]{64}$/);
  assert.ok(list.length >= 2, 'at least the two batch-size-1 vectors');
  const secretKey = fromHex(skSm);
  for (const v of list) {
    assert.equal(v.Input.length, 1, `${v.name}: OPRF mode has no batch vectors`);
    const input = fromHex(v.Input[0]);
    const b = blind(input, replay(v.Blind[0]));
    assert.equal(toHex(b.blind), v.Blind[0], v.name);
    assert.equal(toHex(b.blindedElement), v.BlindedElement[0], v.name);
    // The server's step with the RFC's key reproduces EvaluationElement (so the vector is read right), and
    // proves it in the VOPRF context, as vigie-serve does; the page's finalize checks it and gives Output.
    const { evaluated: [evaluatedElement], proof } = evaluateVerifiably(secretKey, [b.blindedElement]);
    assert.equal(toHex(evaluatedElement), v.EvaluationElement[0], v.name);
    const items = [{ input, blind: b.blind, blindedElement: b.blindedElement, evaluatedElement }];
    assert.deepEqual(finalize(items, publicKeyOf(secretKey), proof).map(toHex), v.Output, v.name);
  }
});

test('RFC 9497 A.3.2 (P256-SHA256, VOPRF mode): every vector\'s proof verifies, and gives Output', () => {
  const { skSm, pkSm, vectors: list } = vectors('VOPRF');
  assert.match(pkSm, /^0[23][0-9a-f]{64}$/);
  assert.equal(toHex(publicKeyOf(fromHex(skSm))), pkSm);
  assert.ok(list.length >= 3 && list.some((v) => v.Input.length === 2), 'the batch vector too');
  const publicKey = fromHex(pkSm);
  for (const v of list) {
    const items = v.Input.map((input, i) => ({
      input: fromHex(input),
      blind: fromHex(v.Blind[i]),
      blindedElement: fromHex(v.BlindedElement[i]),
      evaluatedElement: fromHex(v.EvaluationElement[i]),
    }));
    // The vectors blind in VOPRF mode (HashToGroup with the VOPRF context string), unlike the page.
    items.forEach((item, i) => {
      const b = p256_oprf.voprf.blind(item.input, replay(v.Blind[i]));
      assert.equal(toHex(b.blinded), v.BlindedElement[i], v.name);
    });
    assert.deepEqual(finalize(items, publicKey, fromHex(v.Proof[0])).map(toHex), v.Output, v.name);
    // The proof generator the other tests use makes the RFC's proof from its ProofRandomScalar.
    const made = evaluateVerifiably(fromHex(skSm), items.map((item) => item.blindedElement),
      replay(v.ProofRandomScalar[0]));
    assert.deepEqual(made.evaluated.map(toHex), v.EvaluationElement, v.name);
    assert.equal(toHex(made.proof), v.Proof[0], v.name);
  }
});

test('proofs: another key, an altered proof, element or batch, or out-of-range scalars are refused', () => {
  const { pkSm, vectors: list } = vectors('VOPRF');
  const v = list.find((x) => x.Input.length === 2);
  const items = v.Input.map((input, i) => ({
    input: fromHex(input),
    blind: fromHex(v.Blind[i]),
    blindedElement: fromHex(v.BlindedElement[i]),
    evaluatedElement: fromHex(v.EvaluationElement[i]),
  }));
  const publicKey = fromHex(pkSm);
  const proof = fromHex(v.Proof[0]);
  assert.equal(finalize(items, publicKey, proof).length, 2);
  const refused = (name, its, pk, pr) => assert.throws(() => finalize(its, pk, pr), /oprf\.proof/, name);
  // Another server key: its own public key, or the generator, or the vector's key negated.
  const other = p256_oprf.oprf.generateKeyPair();
  refused('another public key', items, other.publicKey, proof);
  refused('the generator', items, p256.Point.BASE.toBytes(true), proof);
  refused('the negated key', items, p256.Point.fromBytes(publicKey).negate().toBytes(true), proof);
  // A server evaluating with another key but proving with its published one cannot make the proof verify;
  // a proof made with the other key verifies only against the other key.
  const tracked = evaluateVerifiably(other.secretKey, items.map((i) => i.blindedElement));
  const withTracked = items.map((item, i) => ({ ...item, evaluatedElement: tracked.evaluated[i] }));
  refused('per-client key, published proof', withTracked, publicKey, proof);
  refused('per-client key and proof', withTracked, publicKey, tracked.proof);
  assert.equal(finalize(withTracked, other.publicKey, tracked.proof).length, 2);
  // Every bit of the proof matters (one flip per byte), and its scalars must be below the group order.
  for (let i = 0; i < proof.length; i += 1) {
    const bad = proof.slice();
    bad[i] ^= 1 << (i % 8);
    refused(`proof byte ${i}`, items, publicKey, bad);
  }
  refused('scalars above the order', items, publicKey, new Uint8Array(64).fill(0xff));
  refused('short proof', items, publicKey, proof.slice(1));
  refused('no proof', items, publicKey, new Uint8Array(0));
  // Altered elements: another valid point in place of an evaluated or a blinded one, swapped pairs, a
  // subset of the batch.
  const twice = (e) => p256.Point.fromBytes(e).double().toBytes(true);
  const evaluatedTwice = { ...items[1], evaluatedElement: twice(items[1].evaluatedElement) };
  refused('evaluated element doubled', [items[0], evaluatedTwice], publicKey, proof);
  const blindedTwice = { ...items[0], blindedElement: twice(items[0].blindedElement) };
  refused('blinded element doubled', [blindedTwice, items[1]], publicKey, proof);
  refused('pairs swapped', [items[1], items[0]], publicKey, proof);
  refused('first pair only', [items[0]], publicKey, proof);
  const evalByteFlipped = items[0].evaluatedElement.slice();
  evalByteFlipped[0] ^= 1; // 02 <-> 03: the negated point, still on the curve
  refused('evaluated element negated', [{ ...items[0], evaluatedElement: evalByteFlipped }, items[1]],
    publicKey, proof);
  // A malformed element or key is a point error, before any proof arithmetic.
  assert.throws(() => finalize(items, publicKey.slice(1), proof), /oprf\.point/);
  assert.throws(() => finalize([{ ...items[0], evaluatedElement: offCurvePoint() }], publicKey, proof),
    /oprf\.point/);
  assert.throws(() => finalize([], publicKey, proof), /oprf\.count/);
});

test('the key of GET v1/oprf/key: P256-SHA256, OPRF mode, a compressed point; anything else refused', () => {
  const { pkSm } = vectors('VOPRF');
  const body = { suite: 'P256-SHA256', mode: 'oprf', public_key: pkSm, fingerprint: '0123456789abcdef',
    max_batch: 1024, max_batch_anonymous: 16, verifiable: true };
  assert.equal(toHex(parsePublicKey(body)), pkSm);
  assert.equal(toHex(parsePublicKey({ ...body, public_key: pkSm.toUpperCase() })), pkSm);
  const x = pkSm.slice(2);
  const cases = [
    ['no body', null],
    ['another suite', { ...body, suite: 'P384-SHA384' }],
    ['VOPRF-mode tags', { ...body, mode: 'voprf' }],
    ['no key', { ...body, public_key: undefined }],
    ['a number', { ...body, public_key: 3 }],
    ['short', { ...body, public_key: pkSm.slice(2) }],
    ['uncompressed prefix', { ...body, public_key: `04${x}` }],
    ['not hex', { ...body, public_key: `0${'g'.repeat(65)}` }],
    ['off the curve', { ...body, public_key: toHex(offCurvePoint()) }],
    ['the identity', { ...body, public_key: '00'.repeat(33) }],
  ];
  for (const [name, b] of cases) assert.throws(() => parsePublicKey(b), /oprf\.key/, name);
});

test('the page\'s flow on the OPRF vectors: OPRF blind, VOPRF-context proof, OPRF-mode Output', async () => {
  const { skSm, vectors: list } = vectors('OPRF');
  const secretKey = fromHex(skSm);
  const publicKey = publicKeyOf(secretKey);
  for (const v of list) {
    // oprfTagHex itself, with the vector's input and blind in place of the identifier and random blind.
    const replayed = {
      ...oprf, oprfInput: () => fromHex(v.Input[0]), blind: (input) => blind(input, replay(v.Blind[0])),
    };
    const seen = [];
    const postBinary = async (path, body) => {
      seen.push({ path, body: toHex(body) });
      const n = (body[0] << 8) | body[1];
      const blinded = Array.from({ length: n }, (_, i) => body.slice(2 + 33 * i, 35 + 33 * i));
      return answerBytes(evaluateVerifiably(secretKey, blinded));
    };
    assert.equal(await oprfTagHex('nir', 'x', postBinary, replayed, publicKey), v.Output[0], v.name);
    assert.deepEqual(seen, [{ path: 'v1/oprf/nir/evaluate?verifiable=1', body: `0001${v.BlindedElement[0]}` }]);
    // The same answer checked against another key is refused, not turned into another tag.
    const other = p256_oprf.oprf.generateKeyPair().publicKey;
    await assert.rejects(oprfTagHex('nir', 'x', postBinary, replayed, other), /oprf\.proof/);
  }
});
test('a random round equals Evaluate(sk, input); blinded elements differ every time', () => {
  const { secretKey, publicKey } = p256_oprf.oprf.generateKeyPair();
  const input = oprfInput('nir', '185057800608491');
  assert.equal(new TextDecoder().decode(input), 'vigie:nir:185057800608491');
  const seen = new Set();
  for (let i = 0; i < 4; i += 1) {
    const b = blind(input, rng);
    seen.add(toHex(b.blindedElement));
    const { evaluated: [evaluatedElement], proof } = evaluateVerifiably(secretKey, [b.blindedElement]);
    const [output] = finalize([{ input, blind: b.blind, blindedElement: b.blindedElement, evaluatedElement }],
      publicKey, proof);
    assert.equal(toHex(output), toHex(p256_oprf.oprf.evaluate(secretKey, input)));
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

test('responses: exactly count points, VOPRF mode byte and a 64-byte proof, each a valid compressed point', () => {
  const good = fromHex('030de02ffec47a1fd53efcdd1c6faf5bdc270912b8749e783c7ca75bb412958832');
  const proof = new Uint8Array(64).map((_, i) => i);
  const response = (count, points, tail = [1, ...proof]) =>
    new Uint8Array([count >> 8, count & 0xff, ...points.flatMap((p) => [...p]), ...tail]);
  assert.deepEqual(parseResponse(response(1, [good]), 1), { evaluated: [good], proof });
  assert.deepEqual(parseResponse(response(1, [good]).buffer, 1), { evaluated: [good], proof },
    'an ArrayBuffer (fetch) is fine');
  assert.deepEqual(parseResponse(response(2, [good, good]), 2), { evaluated: [good, good], proof });
  const offCurve = offCurvePoint();
  const x = [...good.slice(1)];
  const cases = [
    ['empty', new Uint8Array(0), /oprf.response.length/],
    ['count only', new Uint8Array([0, 1]), /oprf.response.length/],
    ['count larger than asked', response(2, [good, good]), /oprf.response.count/],
    ['count 0', response(0, []), /oprf.response.count/],
    ['one point short', response(2, [good]), /oprf.response.mode|oprf.response.length/],
    ['truncated point', response(1, [good.slice(0, 32)], []), /oprf.response.length/],
    ['no mode byte', response(1, [good], []), /oprf.response.length/],
    // An OPRF-mode answer (what the page accepted before): no proof, so nothing vouches for the key used.
    ['OPRF mode, no proof', response(1, [good], [0]), /oprf.response.mode/],
    ['OPRF mode with a proof', response(1, [good], [0, ...proof]), /oprf.response.mode/],
    ['another mode', response(1, [good], [2, ...proof]), /oprf.response.mode/],
    ['VOPRF mode without the proof', response(1, [good], [1]), /oprf.response.length/],
    ['proof one byte short', response(1, [good], [1, ...proof.slice(1)]), /oprf.response.length/],
    ['a byte too many', response(1, [good], [1, ...proof, 0]), /oprf.response.length/],
    ['uncompressed prefix', response(1, [[4, ...x]]), /oprf.point/],
    ['identity byte', response(1, [[0, ...new Uint8Array(32)]]), /oprf.point/],
    ['off the curve', response(1, [offCurve]), /oprf.point/],
  ];
  for (const [name, body, error] of cases) {
    assert.throws(() => parseResponse(body, name === 'one point short' ? 2 : 1), error, name);
  }
  assert.throws(() => checkElement(new Uint8Array(65)), /oprf.point/);
});

test('look-up on an oprf-p256 index: only the blinded element and the prefix leave; found and absent', async () => {
  const { secretKey, publicKey } = p256_oprf.oprf.generateKeyPair();
  const info = parseIndexInfo({ v: 1, scheme: 'oprf-p256', prefix_hex: 5, suffix_hex: 16, kinds: ['nir'] });
  const canonical = '185057800608491';
  const tag = toHex(p256_oprf.oprf.evaluate(secretKey, oprfInput('nir', canonical)));
  const { prefix, suffix } = splitTag(tag, info);
  const sent = [];
  const evaluatePath = 'v1/oprf/nir/evaluate?verifiable=1';
  // The server's side: a verifiable BlindEvaluate with its key, answered in the wire format.
  const serve = (answer) => async (path, body) => {
    sent.push({ path, body: toHex(body) });
    assert.equal(path, evaluatePath);
    assert.deepEqual([...body.slice(0, 2)], [0, 1]);
    return answer(body.slice(2));
  };
  const postBinary = serve((blinded) => answerBytes(evaluateVerifiably(secretKey, [blinded])));
  const bucket = (entries) => async (path) => {
    sent.push({ path, body: '' });
    return { v: 1, kind: 'nir', prefix, suffix_hex: 16, breaches: ['a', 'b'], entries };
  };
  const others = [['0000000000000000', [0]], ['ffffffffffffffff', [1]]];
  const found = await lookUp('nir', canonical, info,
    { fetchJson: bucket([others[0], [suffix, [1]], others[1]]), postBinary, oprf, publicKey });
  assert.deepEqual(found, { found: true, breaches: ['b'], prefix });
  const absent = await lookUp('nir', canonical, info, { fetchJson: bucket(others), postBinary, oprf, publicKey });
  assert.deepEqual(absent, { found: false, breaches: [], prefix });
  const range = `v1/range/nir/${prefix}`;
  assert.deepEqual(sent.map((r) => r.path), [evaluatePath, range, evaluatePath, range]);
  // Two looks at the same NIR send unrelated blinded elements; none carries the NIR, its tag or its hash.
  assert.notEqual(sent[0].body, sent[2].body);
  const sha = createHash('sha256').update(`vigie:nir:${canonical}`).digest('hex');
  const input = toHex(oprfInput('nir', canonical));
  for (const r of sent) {
    for (const secret of [canonical, input, tag, suffix, sha, sha.slice(5, 21)]) {
      assert.ok(!r.path.includes(secret) && !r.body.includes(secret), r.path);
    }
  }
  // Answers the page cannot vouch for are refused, and nothing more is requested (no prefix leaves): no
  // proof (OPRF mode), a proof that does not verify, a per-client key, a broken point, or a key that is not
  // the server's.
  const other = p256_oprf.oprf.generateKeyPair();
  const tamper = (at) => (blinded) => {
    const bytes = answerBytes(evaluateVerifiably(secretKey, [blinded]));
    bytes[at < 0 ? bytes.length + at : at] ^= 1;
    return bytes;
  };
  const refusals = [
    ['OPRF mode', serve((b) => new Uint8Array([0, 1, ...p256_oprf.oprf.blindEvaluate(secretKey, b), 0])),
      publicKey, /oprf.response.mode/],
    ['proof altered', serve(tamper(-1)), publicKey, /oprf.proof/],
    ['evaluated element altered', serve(tamper(2)), publicKey, /oprf.proof|oprf.point/],
    ['per-client key', serve((b) => answerBytes(evaluateVerifiably(other.secretKey, [b]))), publicKey, /oprf.proof/],
    ['off the curve', serve(() => answerBytes({ evaluated: [offCurvePoint()], proof: new Uint8Array(64) })),
      publicKey, /oprf.point/],
    ['another published key', postBinary, other.publicKey, /oprf.proof/],
  ];
  for (const [name, post, key, error] of refusals) {
    sent.length = 0;
    const io = { fetchJson: bucket(others), postBinary: post, oprf, publicKey: key };
    await assert.rejects(lookUp('nir', canonical, info, io), error, name);
    assert.deepEqual(sent.map((r) => r.path), [evaluatePath], name);
  }
  await assert.rejects(lookUp('nir', canonical, { ...info, scheme: 'sha1' }, { fetchJson: bucket(others) }),
    /index.scheme/);
});

test('private path on an oprf-p256 index: the blinded element, then one shard; no shard for a bad proof', async () => {
  const { secretKey, publicKey } = p256_oprf.oprf.generateKeyPair();
  const info = parseIndexInfo({ v: 1, scheme: 'oprf-p256', prefix_hex: 5, suffix_hex: 16, kinds: ['nir'] });
  const present = '185057800608491';
  const absent = '299127505699940';
  const tagOf = (canonical) => p256_oprf.oprf.evaluate(secretKey, oprfInput('nir', canonical));
  const { manifest, shards } = buildSet({
    kind: 'nir', scheme: 'oprf-p256', generation: 1, shardBits: 6, tagBits: 30, breaches: ['a', 'b'],
    entries: [{ tag: tagOf(present), breaches: ['b'] }, { tag: tagOf('100000000000000'), breaches: ['a'] }],
  });
  const sent = [];
  const evaluatePath = 'v1/oprf/nir/evaluate?verifiable=1';
  const io = (evaluate) => ({
    oprf,
    publicKey,
    postBinary: async (path, body) => {
      sent.push({ path, body: toHex(body) });
      return evaluate(body.slice(2));
    },
    manifest: async (kind) => parseSetManifest(manifest, kind),
    fetchBytes: async (path) => {
      sent.push({ path, body: '' });
      return shards.get(path);
    },
  });
  const honest = io((blinded) => answerBytes(evaluateVerifiably(secretKey, [blinded])));
  const found = await lookUpSet('nir', present, info, honest);
  assert.equal(found.found, true);
  assert.deepEqual(found.breaches, ['b']);
  const none = await lookUpSet('nir', absent, info, honest);
  assert.deepEqual([none.found, none.breaches], [false, []]);
  const shardOf = (canonical) => `v1/set/nir/${(tagOf(canonical)[0] >> 2).toString(16)}`;
  assert.deepEqual(sent.map((r) => r.path), [evaluatePath, shardOf(present), evaluatePath, shardOf(absent)]);
  assert.notEqual(sent[0].body, sent[2].body);
  const tagHex = toHex(tagOf(present));
  for (const r of sent) {
    for (const secret of [present, toHex(oprfInput('nir', present)), tagHex, tagHex.slice(2)]) {
      assert.ok(!r.path.includes(secret) && !r.body.includes(secret), r.path);
    }
  }
  // A proof that does not verify: refused before any shard is asked for.
  sent.length = 0;
  const tampered = io((blinded) => {
    const bytes = answerBytes(evaluateVerifiably(secretKey, [blinded]));
    bytes[bytes.length - 1] ^= 1;
    return bytes;
  });
  await assert.rejects(lookUpSet('nir', present, info, tampered), /oprf.proof/);
  assert.deepEqual(sent.map((r) => r.path), [evaluatePath]);
});
