// A shard encoder for the tests only (the page never encodes): the format of core/codec_set.h, written from
// its header comment like tests/vectors/make_set_vectors.py, to make shards the vectors do not cover
// (random geometry, many entries, a full-size 1.4 MB shard for the timing in browser.mjs). The vectors, not
// this file, are the reference: set.test.mjs checks first that it reproduces them byte for byte.
import { crc32 } from '../src/set.js';

const KIND_BYTES = { nir: 1, email: 2, phone: 3, password: 4 };

class BitWriter {
  constructor() {
    this.bytes = [];
    this.acc = 0;
    this.used = 0;
  }

  bit(b) {
    this.acc = (this.acc << 1) | b;
    this.used += 1;
    if (this.used === 8) {
      this.bytes.push(this.acc);
      this.acc = 0;
      this.used = 0;
    }
  }

  // The low `n` bits of the BigInt `v`, most significant first.
  put(v, n) {
    for (let i = n - 1; i >= 0; i -= 1) this.bit(Number((v >> BigInt(i)) & 1n));
  }

  ones(n) {
    for (let i = 0n; i < n; i += 1n) this.bit(1);
  }

  flush() {
    while (this.used !== 0) this.bit(0);
    return this.bytes;
  }
}

function varint(v, out) {
  let x = BigInt(v);
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    if (x === 0n) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

const gaps = (values) => values.map((v, i) => (i === 0 ? v : v - values[i - 1] - 1n));

// The cheapest Rice parameter near the mean gap's estimate (ties: the smallest), as the C++ encoder does.
function bestK(values, valueBits) {
  if (values.length === 0) return 0;
  const mean = (Number(values[values.length - 1]) + 1) / values.length;
  const estimate = Math.max(0, Math.min(valueBits, Math.floor(Math.log2(Math.max(1, mean * 0.69314718)))));
  const g = gaps(values);
  let best = estimate;
  let bestCost = Infinity;
  for (let k = Math.max(0, estimate - 2); k <= Math.min(valueBits, 63, estimate + 2); k += 1) {
    let cost = 0;
    for (const gap of g) cost += Number(gap >> BigInt(k)) + 1 + k;
    if (cost < bestCost) {
      best = k;
      bestCost = cost;
    }
  }
  return best;
}

function u32(out, at, v) {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

// { kind, shardBits, tagBits, generation, shard, combos, values (ascending BigInts), comboOf } -> body bytes,
// zero-padded to `padTo` bytes when that is larger. `k` forces the Rice parameter (tests of odd ones).
export function encodeShard(s, padTo = 0, k = bestK(s.values, s.tagBits - s.shardBits)) {
  const coded = s.combos.length > 1;
  const out = [0x56, 0x47, 0x53, 0x31, 1, KIND_BYTES[s.kind], s.shardBits, s.tagBits];
  const generation = BigInt(s.generation);
  for (let i = 7; i >= 0; i -= 1) out.push(Number((generation >> BigInt(8 * i)) & 0xffn));
  out.push(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, k, coded ? 1 : 0);
  u32(out, 16, s.shard);
  u32(out, 20, s.values.length);
  varint(s.combos.length, out);
  for (const combo of s.combos) {
    varint(combo.length, out);
    combo.forEach((p, i) => varint(i === 0 ? p : p - combo[i - 1], out));
  }
  const bits = new BitWriter();
  gaps(s.values).forEach((gap, i) => {
    bits.ones(gap >> BigInt(k));
    bits.bit(0);
    bits.put(gap, k);
    if (coded) {
      const x = BigInt(s.comboOf[i] + 1);
      const n = x.toString(2).length;
      bits.put(0n, n - 1);
      bits.put(x, n);
    }
  });
  const stream = bits.flush();
  const payload = out.length + stream.length;
  const total = Math.max(payload + 4, padTo);
  const body = new Uint8Array(total);
  body.set(out);
  body.set(stream, out.length);
  u32(body, 24, payload);
  u32(body, 28, total);
  const crc = crc32(body, 0, payload);
  u32(body, payload, crc);
  return body;
}

// A whole set as the server would publish it, for look-up tests: `entries` are { tag (bytes), breaches
// (names) }. Returns { manifest (the JSON body of GET v1/set/{kind}), shards (shard path -> body) }.
export function buildSet({ kind, scheme, generation, shardBits, tagBits, breaches, entries }) {
  const perShard = Array.from({ length: 2 ** shardBits }, () => new Map());
  for (const { tag, breaches: names } of entries) {
    let bits = 0n;
    for (let i = 0; i < 8; i += 1) bits = (bits << 8n) | BigInt(tag[i] ?? 0);
    bits >>= BigInt(64 - tagBits);
    const valueBits = BigInt(tagBits - shardBits);
    const combo = names.map((n) => breaches.indexOf(n)).sort((a, b) => a - b);
    perShard[Number(bits >> valueBits)].set(bits & ((1n << valueBits) - 1n), combo);
  }
  const shards = new Map();
  const listed = [];
  perShard.forEach((map, shard) => {
    const values = [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const keys = [...new Set(values.map((v) => map.get(v).join(',')))];
    const combos = keys.map((key) => (key === '' ? [] : key.split(',').map(Number)));
    const comboOf = values.map((v) => keys.indexOf(map.get(v).join(',')));
    const body = encodeShard({ kind, shardBits, tagBits, generation, shard, combos, values, comboOf });
    shards.set(`v1/set/${kind}/${shard.toString(16)}`, body);
    listed.push({ count: values.length, bytes: body.length, etag: `"${shard}"` });
  });
  const manifest = {
    v: 1, kind, scheme, generation, shard_bits: shardBits, tag_bits: tagBits, count: entries.length, breaches,
    coding: { format: 'vigie-set-1', gaps: 'golomb-rice', breaches: 'exp-golomb-0', checksum: 'crc32' },
    padded: false, shards: listed,
  };
  return { manifest, shards };
}
