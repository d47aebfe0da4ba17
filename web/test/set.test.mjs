// The page's shard reader (web/src/set.js) against tests/vectors/set-shards.txt, written by an independent
// Python encoder (tests/vectors/make_set_vectors.py): every vector decodes to its record; every truncation
// and every single-byte change of a vector body is an error, never a shard; findInShard finds every value
// and nothing else. Then the same on random shards of the test encoder (set_encoder.mjs, itself first
// checked against the vectors), the /all concatenation, tag splitting and the manifest.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  crc32, decodeShard, decodeShards, findInShard, nirsPerShard, parseSetManifest, SetError, shardPath,
  splitSetTag,
} from '../src/set.js';
import { encodeShard } from './set_encoder.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fromHex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
const BREACHES = 8; // more than any vector's highest position

// The "key = value" records of the vectors file ('#' lines and blank lines skipped), parsed.
function vectors() {
  const records = [];
  for (const line of readFileSync(join(repo, 'tests', 'vectors', 'set-shards.txt'), 'utf8').split('\n')) {
    const m = line.match(/^(\w+) = ?(.*)$/);
    if (!m) continue;
    if (m[1] === 'name') records.push({});
    records[records.length - 1][m[1]] = m[2];
  }
  return records.map((r) => {
    const numbers = (text) => (text === '' ? [] : text.split(','));
    const values = numbers(r.values).map(BigInt);
    const comboOf = numbers(r.combo_of).map(Number);
    return {
      name: r.name,
      kind: r.kind,
      shardBits: Number(r.shard_bits),
      tagBits: Number(r.tag_bits),
      generation: BigInt(r.generation),
      shard: Number(r.shard),
      combos: r.combos === '' ? [] : r.combos.split(';').map((c) => numbers(c).map(Number)),
      values,
      // An empty combo_of: every value has combination 0.
      comboOf: comboOf.length > 0 ? comboOf : values.map(() => 0),
      padTo: Number(r.pad_to),
      body: fromHex(r.body),
    };
  });
}

const VECTORS = vectors();

function assertDecodes(shard, want, label) {
  assert.equal(shard.kind, want.kind, label);
  assert.equal(shard.shardBits, want.shardBits, label);
  assert.equal(shard.tagBits, want.tagBits, label);
  assert.equal(shard.generation, want.generation, label);
  assert.equal(shard.shard, want.shard, label);
  assert.deepEqual(shard.combos, want.combos, label);
  assert.deepEqual([...shard.values], want.values, label);
  assert.deepEqual([...shard.comboOf], want.comboOf, label);
  assert.equal(shard.count, want.values.length, label);
}

// Each body must be refused whole: any truncation, and any byte changed (every bit position's flip, and the
// byte replaced by 0x00 and 0xff).
function assertEveryDamageRefused(body, label) {
  for (let length = 0; length < body.length; length += 1) {
    assert.throws(() => decodeShard(body.subarray(0, length), BREACHES), SetError, `${label}: ${length} bytes`);
  }
  for (let at = 0; at < body.length; at += 1) {
    const changes = new Set([0, 1, 2, 3, 4, 5, 6, 7].map((b) => body[at] ^ (1 << b)));
    changes.add(0x00).add(0xff).delete(body[at]);
    for (const byte of changes) {
      const damaged = Uint8Array.from(body);
      damaged[at] = byte;
      assert.throws(() => decodeShard(damaged, BREACHES), SetError, `${label}: byte ${at} = ${byte}`);
      assert.throws(() => findInShard(damaged, BREACHES, 0n, { full: true }), SetError, `${label}: byte ${at}`);
    }
  }
  // One byte too many is not a shard either (a single-shard answer holds exactly one body).
  assert.throws(() => decodeShard(Uint8Array.from([...body, 0]), BREACHES), /set\.trailing/, label);
}

function assertFinds(body, want, label) {
  const has = new Set(want.values);
  const valueBits = BigInt(want.tagBits - want.shardBits);
  want.values.forEach((value, i) => {
    for (const full of [false, true]) {
      const r = findInShard(body, BREACHES, value, { full });
      assert.equal(r.index, i, `${label}: ${value}`);
      assert.deepEqual(r.combo, want.combos[want.comboOf[i]], `${label}: ${value}`);
      assert.equal(r.generation, want.generation);
      assert.equal(r.shard, want.shard);
    }
  });
  const absent = [0n, 1n, (1n << valueBits) - 1n, ...want.values.flatMap((v) => [v - 1n, v + 1n])]
    .filter((v) => v >= 0n && v < 1n << valueBits && !has.has(v));
  for (const value of absent) {
    for (const full of [false, true]) {
      const r = findInShard(body, BREACHES, value, { full });
      assert.equal(r.index, -1, `${label}: ${value} is absent`);
      assert.equal(r.combo, null);
    }
  }
  assert.equal(findInShard(body, BREACHES, 1n << valueBits).index, -1, `${label}: beyond the value bits`);
}

test('CRC-32 is zlib\'s', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('every vector decodes to its record', () => {
  assert.ok(VECTORS.length >= 5, 'the vectors file holds the five records');
  for (const v of VECTORS) {
    const shard = decodeShard(v.body, BREACHES);
    assertDecodes(shard, v, v.name);
    assert.equal(shard.bytes, v.body.length);
    assert.equal(shard.coded, v.combos.length > 1);
  }
  // The breach positions are checked against the manifest's list: two-breaches uses position 2.
  const two = VECTORS.find((v) => v.name === 'two-breaches');
  assert.throws(() => decodeShard(two.body, 2), /set\.combos/);
  assert.doesNotThrow(() => decodeShard(two.body, 3));
  // ArrayBuffer and Buffer bodies too (fetch gives the former, node the latter).
  assertDecodes(decodeShard(two.body.slice().buffer, BREACHES), two, 'ArrayBuffer');
  assertDecodes(decodeShard(Buffer.from(two.body), BREACHES), two, 'Buffer');
});

test('the test encoder reproduces every vector byte for byte', () => {
  for (const v of VECTORS) assert.deepEqual(encodeShard(v, v.padTo), v.body, v.name);
});

test('every truncation and every single-byte change of a vector body is an error', () => {
  for (const v of VECTORS) assertEveryDamageRefused(v.body, v.name);
});

test('findInShard finds every value of every vector, with its breaches, and no other value', () => {
  for (const v of VECTORS) assertFinds(v.body, v, v.name);
});

test('the errors name what is wrong', () => {
  const small = VECTORS.find((v) => v.name === 'small').body;
  const changed = (at, byte) => {
    const body = Uint8Array.from(small);
    body[at] = byte;
    return body;
  };
  assert.throws(() => decodeShard(small.subarray(0, 10), BREACHES), /set\.truncated/);
  assert.throws(() => decodeShard(small.subarray(0, small.length - 1), BREACHES), /set\.truncated/);
  assert.throws(() => decodeShard(changed(0, 0x57), BREACHES), /set\.magic/);
  assert.throws(() => decodeShard(changed(4, 2), BREACHES), /set\.version/);
  assert.throws(() => decodeShard(changed(5, 9), BREACHES), /set\.kind/);
  assert.throws(() => decodeShard(changed(7, 2), BREACHES), /set\.geometry/);
  assert.throws(() => decodeShard(changed(35, 0x81), BREACHES), /set\.checksum/);
  const padded = VECTORS.find((v) => v.name === 'padded').body;
  const notZero = Uint8Array.from(padded);
  notZero[padded.length - 1] = 1;
  assert.throws(() => decodeShard(notZero, BREACHES), /set\.padding/);
  const e = (() => { try { decodeShard(changed(0, 0), BREACHES); } catch (err) { return err; } return null; })();
  assert.ok(e instanceof SetError);
  assert.equal(e.message, 'set.magic');
  assert.equal(e.reason, 'set.magic');
});

test('well-coded but invalid shards are refused: values beyond the value bits, trailing bits', () => {
  const base = { kind: 'nir', shardBits: 2, tagBits: 10, generation: 1, shard: 3, combos: [[0]], comboOf: [0, 0] };
  // 8 value bits: 256 is one too many, whatever the CRC says.
  assert.throws(() => decodeShard(encodeShard({ ...base, values: [5n, 256n] }), BREACHES), /set\.range/);
  assert.doesNotThrow(() => decodeShard(encodeShard({ ...base, values: [5n, 255n] }), BREACHES));
  // A count lower than the stream holds: the rest is trailing data.
  const body = encodeShard({ ...base, values: [5n, 6n, 20n, 40n, 41n, 42n, 43n, 44n, 45n, 46n, 47n, 48n] });
  const fewer = Uint8Array.from(body);
  fewer[23] -= 4;
  const payload = (body[24] << 24) | (body[25] << 16) | (body[26] << 8) | body[27];
  new DataView(fewer.buffer).setUint32(payload, crc32(fewer, 0, payload));
  assert.throws(() => decodeShard(fewer, BREACHES), /set\.trailing/);
  // A bit set after the last entry, in the stream's last byte (the small vector ends 3 bits short of it).
  const small = VECTORS.find((v) => v.name === 'small').body;
  const end = (small[24] << 24) | (small[25] << 16) | (small[26] << 8) | small[27];
  const spare = Uint8Array.from(small);
  spare[end - 1] |= 1;
  new DataView(spare.buffer).setUint32(end, crc32(spare, 0, end));
  assert.throws(() => decodeShard(spare, BREACHES), /set\.trailing/);
  // Entries but no combination.
  assert.throws(() => decodeShard(encodeShard({ ...base, combos: [], values: [1n] }), BREACHES), /set\.combos/);
});

// A random shard: geometry, values (any of 64 bits), combinations.
function randomShard(seed, n) {
  let x = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
  const next = () => {
    x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return x;
  };
  const shardBits = Number(next() % 13n);
  const tagBits = shardBits + 1 + Number(next() % BigInt(64 - shardBits));
  const valueBits = BigInt(tagBits - shardBits);
  const set = new Set();
  for (let i = 0; i < n; i += 1) set.add(next() & ((1n << valueBits) - 1n));
  const values = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const combos = Number(next() % 4n) === 0 ? [[0]] : [[0], [1, 5], [2], [0, 3, 7]];
  const comboOf = values.map(() => (combos.length === 1 ? 0 : Number(next() % BigInt(combos.length))));
  return {
    kind: 'email', shardBits, tagBits, generation: next(), shard: Number(next() % (1n << BigInt(shardBits))),
    combos, values, comboOf,
  };
}

test('random shards of every geometry (up to 64 tag bits) decode and find exactly', () => {
  for (let seed = 1; seed <= 60; seed += 1) {
    const want = randomShard(seed, 1 + (seed % 7) * 40);
    const body = encodeShard(want, seed % 3 === 0 ? 2000 : 0);
    const label = `seed ${seed} (${want.shardBits}/${want.tagBits} bits)`;
    assertDecodes(decodeShard(body, BREACHES), want, label);
    assertFinds(body, want, label);
  }
  // The widest: 64 tag bits, no shard bits, values near 2^64 (gaps above 2^53, Rice parameters above 32).
  const top = (1n << 64n) - 1n;
  const wide = {
    kind: 'phone', shardBits: 0, tagBits: 64, generation: (1n << 64n) - 1n, shard: 0, combos: [[0]],
    values: [0n, 1n, 1n << 53n, (1n << 53n) + 1n, 1n << 63n, top - 1n, top], comboOf: [0, 0, 0, 0, 0, 0, 0],
  };
  // The first gap is the first value: k must keep its unary part short (2^(64-k) ones at most).
  for (const k of [50, 52, 53, 54, 60, 63]) {
    const body = encodeShard(wide, 0, k);
    assertDecodes(decodeShard(body, BREACHES), wide, `k ${k}`);
    assertFinds(body, wide, `k ${k}`);
  }
  // Values above 2^32 with a Rice parameter below 32, and at 32 and just above.
  const high = { ...wide, values: [1n << 33n, (1n << 33n) + 1n, (1n << 33n) + (1n << 30n), (1n << 34n) - 1n] };
  high.comboOf = high.values.map(() => 0);
  for (const k of [24, 25, 31, 32, 33]) {
    const body = encodeShard(high, 0, k);
    assertDecodes(decodeShard(body, BREACHES), high, `k ${k}`);
    assertFinds(body, high, `k ${k}`);
  }
  assertEveryDamageRefused(encodeShard(randomShard(7, 50), 400), 'random, padded');
});

test('GET v1/set/{kind}/all: bodies one after another', () => {
  const all = new Uint8Array(VECTORS.reduce((n, v) => n + v.body.length, 0));
  let at = 0;
  for (const v of VECTORS) {
    all.set(v.body, at);
    at += v.body.length;
  }
  const shards = decodeShards(all, BREACHES);
  assert.equal(shards.length, VECTORS.length);
  shards.forEach((shard, i) => assertDecodes(shard, VECTORS[i], VECTORS[i].name));
  assert.throws(() => decodeShards(all.subarray(0, all.length - 1), BREACHES), SetError);
});

test('a tag splits into the shard (sent) and the value (kept), as core/codec_set.h does', () => {
  const tag = Uint8Array.from([0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xff]);
  assert.deepEqual(splitSetTag(tag, 20, 6), { shard: 0xabcde >> 14, value: BigInt(0xabcde & 0x3fff) });
  assert.deepEqual(splitSetTag(tag, 20, 0), { shard: 0, value: 0xabcden });
  assert.deepEqual(splitSetTag(tag, 64, 12), { shard: 0xabc, value: 0xdef0123456789n });
  assert.deepEqual(splitSetTag(tag, 45, 6), { shard: 0xab >> 2, value: (0xabcdef012345n >> 3n) & ((1n << 39n) - 1n) });
  assert.throws(() => splitSetTag(tag, 6, 6), RangeError);
  assert.equal(shardPath('nir', 0), 'v1/set/nir/0');
  assert.equal(shardPath('nir', 0x2a), 'v1/set/nir/2a');
  assert.equal(shardPath('email', 0xfff), 'v1/set/email/fff');
});

test('the manifest: checked, then what a look-up needs', () => {
  const body = {
    v: 1, kind: 'nir', scheme: 'oprf-p256', generation: 7, shard_bits: 2, tag_bits: 45, count: 3,
    breaches: ['a', 'b'], coding: { format: 'vigie-set-1' }, padded: false,
    shards: [0, 1, 2, 3].map(() => ({ count: 1, bytes: 40, etag: '"x"' })),
  };
  const m = parseSetManifest(body, 'nir');
  assert.equal(m.generation, 7n);
  assert.equal(m.shardBits, 2);
  assert.equal(m.tagBits, 45);
  assert.deepEqual(m.breaches, ['a', 'b']);
  assert.equal(m.scheme, 'oprf-p256');
  for (const change of [{ v: 2 }, { kind: 'email' }, { generation: -1 }, { generation: 2 ** 60 },
    { shard_bits: 13 }, { tag_bits: 2 }, { tag_bits: 65 }, { breaches: [1] }, { shards: [] }]) {
    assert.throws(() => parseSetManifest({ ...body, ...change }, 'nir'), /set\.manifest/, JSON.stringify(change));
  }
  assert.throws(() => parseSetManifest(null, 'nir'), /set\.manifest/);
});

test('the share of a NIR\'s 999 neighbours in one shard', () => {
  assert.equal(nirsPerShard(0), 999);
  assert.equal(nirsPerShard(6).toFixed(1), '15.6');
  assert.equal(nirsPerShard(12).toFixed(3), '0.244');
});
