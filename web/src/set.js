// The private path's shards, for the page (PRODUCT.md §3b): a reader of the wire format core/codec_set.h
// documents (docs/FORMAT.md "Sets"), checked against the independent vectors of tests/vectors/set-shards.txt.
//
// Shard body, big-endian: "VGS1", version 1, kind byte, shard_bits, tag_bits, generation u64, shard u32,
// entry count u32, payload bytes u32, body bytes u32, Rice parameter k, breach coding (0: every entry has
// combination 0; 1: an Exp-Golomb-0 combination index after each gap); then the breach combinations
// (varints); then the bit stream, most significant bit first: per entry its gap to the previous value as a
// Rice code, zero bits to a byte; then the CRC-32 (zlib's) of everything before it; then zero bytes up to
// body bytes.
//
// Everything is checked, so that a damaged, truncated or foreign body is an error (SetError, message
// `set.*`), never a shard that merely lacks the tag: a "not found" from a damaged shard would be a false
// reassurance. Beyond the C++ decoder, the padding after the CRC must be zero (it is the only part of the
// body the CRC does not cover) and so must the bits that end the stream.
//
// Values have up to 64 bits, more than a Number holds exactly: the scan keeps each one as two 32-bit halves
// (hi, lo), which costs no allocation per entry (BigInt would, and a 1.4 MB shard has half a million
// entries); decodeShard hands them out as a BigUint64Array. Pure functions, no DOM, no dependencies.

export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 34;
export const MAX_SHARD_BITS = 12;
export const MAX_TAG_BITS = 64;
const MAGIC = [0x56, 0x47, 0x53, 0x31]; // "VGS1"
const KINDS = [null, 'nir', 'email', 'phone', 'password']; // core/kind.h's on-disk bytes
const TWO_32 = 2 ** 32;

// A body this page must not use; `message` is the reason slug (as oprf.js's errors), `detail` says more.
export class SetError extends Error {
  constructor(reason, detail = '') {
    super(reason);
    this.name = 'SetError';
    this.reason = reason;
    this.detail = detail;
  }
}

const fail = (reason, detail) => { throw new SetError(reason, detail); };

// ---- CRC-32 (IEEE 802.3, reflected, as zlib's crc32) ----------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let i = 0; i < 8; i += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export function crc32(bytes, start = 0, end = bytes.length) {
  let c = -1;
  for (let i = start; i < end; i += 1) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

// ---- byte and bit readers -------------------------------------------------------------------------------

function u32(bytes, at) {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

// LEB128 varint at `at`, at most 10 bytes: { value, next }, or null when truncated or past 64 bits. Values
// above 2^53 come out inexact, which is harmless: every varint of the format is compared with a small bound.
function varint(bytes, at, end) {
  let value = 0;
  for (let i = 0; i < 10; i += 1) {
    if (at + i >= end) return null;
    const byte = bytes[at + i];
    if (i === 9 && byte > 1) return null;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (!(byte & 0x80)) return { value, next: at + i + 1 };
  }
  return null;
}

// Most significant bit first over bytes [start, end). Positions are bit counts (Numbers: exact far beyond
// any body); the byte of a position is (pos - (pos & 7)) / 8, which stays exact where `>>> 3` would wrap.
class BitReader {
  constructor(bytes, start, end) {
    this.bytes = bytes;
    this.pos = start * 8;
    this.end = end * 8;
  }

  // One-bits up to the next zero-bit (consumed), a byte at a time; -1 past the end or beyond `limit` ones.
  ones(limit) {
    const { bytes, end } = this;
    let pos = this.pos;
    let n = 0;
    for (;;) {
      if (pos >= end) return -1;
      const off = pos & 7;
      // The byte's unread bits at the top of 32 bits: inverted, they count their leading ones, which stop
      // at the first zero or at the byte's end (8 - off).
      const lead = Math.clz32(~(bytes[(pos - off) / 8] << (24 + off)));
      n += lead;
      if (n > limit) return -1;
      if (lead < 8 - off) {
        this.pos = pos + lead + 1;
        return n;
      }
      pos += lead;
    }
  }

  // The next `n` bits (n <= 32) as a Number; -1 past the end. Up to 25 bits come from one 32-bit window of
  // the four bytes at the position (bytes past the array read as zero), the rest from a second call.
  bits(n) {
    const pos = this.pos;
    if (pos + n > this.end) return -1;
    if (n > 25) {
      const high = this.bits(n - 16);
      return high * 65536 + this.bits(16);
    }
    if (n === 0) return 0;
    const { bytes } = this;
    const off = pos & 7;
    const i = (pos - off) / 8;
    const window = (bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3];
    this.pos = pos + n;
    return (window << off) >>> (32 - n);
  }

  // Exp-Golomb order 0: z zero-bits, then z + 1 bits holding x + 1; -1 when malformed or past the end.
  expGolomb() {
    let zeros = 0;
    for (;;) {
      const bit = this.bits(1);
      if (bit < 0) return -1;
      if (bit === 1) break;
      zeros += 1;
      if (zeros > 32) return -1;
    }
    const rest = this.bits(zeros);
    return rest < 0 ? -1 : 2 ** zeros + rest - 1;
  }
}

// ---- the shard ------------------------------------------------------------------------------------------

function asBytes(body) {
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return fail('set.body', 'not bytes');
}

// Reads and checks the header, lengths, CRC, padding and combinations of the body at `at`. `breachCount`
// bounds the breach positions (the manifest's breach list). Returns what the entries' scan needs.
function readHeader(bytes, at, breachCount) {
  const left = bytes.length - at;
  if (left < HEADER_BYTES) fail('set.truncated', 'shorter than a header');
  for (let i = 0; i < 4; i += 1) if (bytes[at + i] !== MAGIC[i]) fail('set.magic', 'not a set shard');
  if (bytes[at + 4] !== FORMAT_VERSION) fail('set.version', `format version ${bytes[at + 4]}`);
  const kind = KINDS[bytes[at + 5]];
  if (!kind) fail('set.kind', `kind byte ${bytes[at + 5]}`);
  const shardBits = bytes[at + 6];
  const tagBits = bytes[at + 7];
  if (shardBits > MAX_SHARD_BITS || tagBits > MAX_TAG_BITS || tagBits <= shardBits) {
    fail('set.geometry', `shard_bits ${shardBits}, tag_bits ${tagBits}`);
  }
  const generation = (BigInt(u32(bytes, at + 8)) << 32n) | BigInt(u32(bytes, at + 12));
  const shard = u32(bytes, at + 16);
  const count = u32(bytes, at + 20);
  const payload = u32(bytes, at + 24);
  const total = u32(bytes, at + 28);
  const k = bytes[at + 32];
  const coding = bytes[at + 33];
  if (shard >= 2 ** shardBits) fail('set.geometry', `shard ${shard} of ${2 ** shardBits}`);
  if (payload < HEADER_BYTES || payload + 4 > total) fail('set.lengths', `payload ${payload}, body ${total}`);
  if (left < total) fail('set.truncated', `${left} of ${total} bytes`);
  const end = at + payload;
  if (crc32(bytes, at, end) !== u32(bytes, end)) fail('set.checksum', 'CRC-32 mismatch');
  // The CRC does not cover the padding: zero it must be, or a flipped byte there would pass.
  for (let i = end + 4; i < at + total; i += 1) if (bytes[i] !== 0) fail('set.padding', `byte ${i - at}`);
  const valueBits = tagBits - shardBits;
  if (k > 63 || k > valueBits || coding > 1) fail('set.coding', `k ${k}, coding ${coding}`);
  const combos = readCombos(bytes, at + HEADER_BYTES, end, breachCount);
  if (count > 0 && combos.list.length === 0) fail('set.combos', 'entries without a combination');
  if ((coding === 1) !== (combos.list.length > 1)) fail('set.coding', 'coding does not match the combinations');
  // Every entry takes at least one bit.
  if (count > (end - combos.next) * 8) fail('set.entries', 'more entries than bits');
  return {
    kind, shardBits, tagBits, generation, shard, count, combos: combos.list,
    k, coded: coding === 1, valueBits, streamStart: combos.next, streamEnd: end, total,
  };
}

// The combinations: a count, then per combination its member count and its breach positions (first
// absolute, then strictly positive differences), each below `breachCount`.
function readCombos(bytes, at, end, breachCount) {
  const bad = (what) => fail('set.combos', what);
  const head = varint(bytes, at, end);
  if (!head || head.value > end - head.next + 1) bad('bad combination count');
  const list = [];
  let next = head.next;
  for (let c = 0; c < head.value; c += 1) {
    const members = varint(bytes, next, end);
    if (!members || members.value > end - members.next) bad('bad combination');
    next = members.next;
    const combo = [];
    let position = 0;
    for (let i = 0; i < members.value; i += 1) {
      const delta = varint(bytes, next, end);
      if (!delta || (i > 0 && delta.value === 0)) bad('bad combination member');
      next = delta.next;
      position += delta.value;
      if (position >= breachCount) bad('breach position out of range');
      combo.push(position);
    }
    list.push(combo);
  }
  return { list, next };
}

// Decodes the entries in order, calling visit(hi, lo, combo, i) with each value as 32-bit halves and its
// combination index; a visit that returns true stops the scan there. Returns whether it ran to the end, in
// which case the stream must end exactly, with zero bits, at the CRC.
function scanEntries(bytes, h, visit) {
  const { k, coded, valueBits, count } = h;
  const reader = new BitReader(bytes, h.streamStart, h.streamEnd);
  // q·2^k must stay below 2^valueBits; past 2^40 the stream runs out long before the bound matters.
  const maxQ = k >= valueBits ? 0 : valueBits - k > 40 ? Infinity : 2 ** (valueBits - k) - 1;
  const hiBound = valueBits > 32 ? 2 ** (valueBits - 32) : 1;
  const loBound = valueBits >= 32 ? TWO_32 : 2 ** valueBits;
  const kHi = k > 32 ? k - 32 : 0;
  const kLo = k > 32 ? 32 : k;
  const split = k < 32 ? 2 ** (32 - k) : 0; // q = qHi·split + qLo puts q·2^k into the two halves
  const scale = k < 32 ? 2 ** k : 2 ** (k - 32);
  const combos = h.combos.length;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < count; i += 1) {
    const q = reader.ones(maxQ);
    const lowHi = kHi > 0 ? reader.bits(kHi) : 0;
    const lowLo = reader.bits(kLo);
    if (q < 0 || lowHi < 0 || lowLo < 0) fail('set.entries', `entry ${i} truncated`);
    let gapHi;
    let gapLo;
    if (q < split) { // the usual case: the whole gap in the low half
      gapHi = 0;
      gapLo = q * scale + lowLo;
    } else if (k >= 32) {
      gapHi = q * scale + lowHi;
      gapLo = lowLo;
    } else {
      gapHi = Math.floor(q / split);
      gapLo = (q - gapHi * split) * scale + lowLo;
    }
    if (i === 0) {
      hi = gapHi;
      lo = gapLo;
    } else {
      lo += gapLo + 1;
      hi += gapHi;
      if (lo >= TWO_32) {
        lo -= TWO_32;
        hi += 1;
      }
    }
    if (hi >= hiBound || (valueBits < 32 && lo >= loBound)) fail('set.range', `entry ${i} beyond ${valueBits} bits`);
    let combo = 0;
    if (coded) {
      combo = reader.expGolomb();
      if (combo < 0 || combo >= combos) fail('set.combos', `entry ${i}: bad combination index`);
    }
    if (visit(hi, lo, combo, i)) return false;
  }
  const used = reader.pos - h.streamStart * 8;
  if (Math.ceil(used / 8) !== h.streamEnd - h.streamStart) fail('set.trailing', 'bytes after the last entry');
  const spare = (8 - (used % 8)) % 8;
  if (spare > 0 && reader.bits(spare) !== 0) fail('set.trailing', 'bits after the last entry');
  return true;
}

function headerOf(h) {
  const { kind, shardBits, tagBits, generation, shard, count, combos, coded } = h;
  return { kind, shardBits, tagBits, generation, shard, count, combos, coded };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// Decodes the body at `at` of `bytes`: { kind, shardBits, tagBits, generation (BigInt), shard, count,
// combos (arrays of breach positions), coded, values (BigUint64Array, strictly ascending), comboOf
// (Uint32Array, per value its index in combos), bytes (its body length) }.
function decodeAt(bytes, at, breachCount) {
  const h = readHeader(bytes, at, breachCount);
  const values = new BigUint64Array(h.count);
  // The halves go straight into the 64-bit slots: no BigInt per entry.
  const halves = new Uint32Array(values.buffer);
  const [hiSlot, loSlot] = LITTLE_ENDIAN ? [1, 0] : [0, 1];
  const comboOf = new Uint32Array(h.count);
  scanEntries(bytes, h, (hi, lo, combo, i) => {
    halves[2 * i + hiSlot] = hi;
    halves[2 * i + loSlot] = lo;
    comboOf[i] = combo;
    return false;
  });
  return { ...headerOf(h), values, comboOf, bytes: h.total };
}

// One shard body (GET v1/set/{kind}/{shard}), nothing before or after it. Throws SetError.
export function decodeShard(body, breachCount) {
  const bytes = asBytes(body);
  const shard = decodeAt(bytes, 0, breachCount);
  if (shard.bytes !== bytes.length) fail('set.trailing', 'bytes after the body');
  return shard;
}

// Every shard of GET v1/set/{kind}/all: bodies one after another, each saying its own length.
export function decodeShards(body, breachCount) {
  const bytes = asBytes(body);
  const out = [];
  for (let at = 0; at < bytes.length;) {
    const shard = decodeAt(bytes, at, breachCount);
    out.push(shard);
    at += shard.bytes;
  }
  return out;
}

// Looks `value` (a BigInt or a safe integer: the tag's bits after the shard number) up in one shard body
// without keeping the entries: { ...header, index (-1 when absent), combo (its breach positions, or null) }.
// Everything before the entries (header, lengths, CRC, padding, combinations) is always checked; the scan
// stops at the first value >= `value` unless `full` is set, in which case every entry is decoded and
// checked too (the CRC already vouches for the bytes left unread).
export function findInShard(body, breachCount, value, { full = false } = {}) {
  const bytes = asBytes(body);
  const h = readHeader(bytes, 0, breachCount);
  if (h.total !== bytes.length) fail('set.trailing', 'bytes after the body');
  const target = BigInt(value);
  const inRange = target >= 0n && target < 1n << BigInt(h.valueBits);
  if (!inRange && !full) return { ...headerOf(h), index: -1, combo: null };
  // Out of range (full scan only): a target no entry equals or passes.
  const wantHi = inRange ? Number(target >> 32n) : Infinity;
  const wantLo = inRange ? Number(target & 0xffffffffn) : 0;
  let index = -1;
  let comboIndex = 0;
  scanEntries(bytes, h, (hi, lo, combo, i) => {
    if (hi === wantHi && lo === wantLo) {
      index = i;
      comboIndex = combo;
    }
    return !full && (hi > wantHi || (hi === wantHi && lo >= wantLo));
  });
  return { ...headerOf(h), index, combo: index < 0 ? null : h.combos[comboIndex] };
}

// ---- tags and the manifest ------------------------------------------------------------------------------

// A tag's first `tagBits` bits (<= 64) split into the shard number (the first `shardBits`, the only bits
// sent) and the value looked up in that shard (the rest, a BigInt).
export function splitSetTag(tag, tagBits, shardBits) {
  if (!(tagBits > shardBits && tagBits <= MAX_TAG_BITS && shardBits >= 0)) throw new RangeError('set geometry');
  let bits = 0n;
  for (let i = 0; i < 8; i += 1) bits = (bits << 8n) | BigInt(i < tag.length ? tag[i] : 0);
  bits >>= BigInt(64 - tagBits);
  const valueBits = BigInt(tagBits - shardBits);
  return { shard: Number(bits >> valueBits), value: bits & ((1n << valueBits) - 1n) };
}

// The route of one shard: its number in lower-case hex without leading zeros.
export function shardPath(kind, shard) {
  return `v1/set/${encodeURIComponent(kind)}/${shard.toString(16)}`;
}

// Checks the body of GET v1/set/{kind} (core/codec_set.h's manifest) and returns what a look-up needs.
// Throws `set.manifest`.
export function parseSetManifest(body, kind) {
  const bad = (what) => fail('set.manifest', what);
  if (!body || body.v !== 1) bad('not a version 1 manifest');
  if (body.kind !== kind) bad(`kind ${body.kind}, not ${kind}`);
  const { generation, shard_bits: shardBits, tag_bits: tagBits } = body;
  if (!Number.isSafeInteger(generation) || generation < 0) bad('generation');
  if (!Number.isInteger(shardBits) || shardBits < 0 || shardBits > MAX_SHARD_BITS) bad('shard_bits');
  if (!Number.isInteger(tagBits) || tagBits <= shardBits || tagBits > MAX_TAG_BITS) bad('tag_bits');
  if (!Array.isArray(body.breaches) || !body.breaches.every((b) => typeof b === 'string')) bad('breaches');
  if (!Array.isArray(body.shards) || body.shards.length !== 2 ** shardBits) bad('shards');
  return {
    kind,
    scheme: String(body.scheme),
    generation: BigInt(generation),
    shardBits,
    tagBits,
    count: Number(body.count) || 0,
    breaches: body.breaches,
    padded: body.padded === true,
    shards: body.shards,
  };
}

// Of the at most 999 NIRs that share sex, year and month and commune of birth (the order number runs from
// 001 to 999), how many fall on average in any one shard: what the shard number tells someone who knows
// all the rest (PRODUCT.md §3b).
export function nirsPerShard(shardBits) {
  return 999 / 2 ** shardBits;
}
