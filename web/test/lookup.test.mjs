// The page's look-up (web/src/lookup.js) and texts (web/src/i18n.js), without a browser: tags match
// sha256("vigie:{kind}:{canonical}"); on the private path (the page's) only the manifest and the one shard
// the tag's first shard_bits bits name are requested, the rest is matched locally, a damaged or mismatched
// shard is an error, an index update between manifest and shard is met with one fresh manifest; on the range
// path only the prefix is requested; every reason slug of the shared tables has its own message in both
// languages, and the privacy note states the shard bits and the NIR share.
import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { LANGUAGES, missingKeys, privacySent, reasonMessage, t } from '../src/i18n.js';
import { lookUp, lookUpSet, matchRange, parseIndexInfo, splitTag, tagHex } from '../src/lookup.js';
import { parseSetManifest, SetError } from '../src/set.js';
import { readCaseTable } from './case_table.mjs';
import { buildSet } from './set_encoder.mjs';

const subtle = webcrypto.subtle; // globalThis.crypto is not there by default on Node 18 (Debian 12)
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const info = parseIndexInfo({ v: 1, scheme: 'sha256', prefix_hex: 5, suffix_hex: 16, kinds: ['nir'] });

test('tag = sha256("vigie:{kind}:{canonical}")', async () => {
  assert.equal(await tagHex('nir', '185057800608491', subtle), sha256('vigie:nir:185057800608491'));
  assert.equal(await tagHex('email', 'a@b.co', subtle), sha256('vigie:email:a@b.co'));
});

test('look-up: only the prefix is requested; the suffix is matched here', async () => {
  const tag = sha256('vigie:nir:185057800608491');
  const { prefix, suffix } = splitTag(tag, info);
  assert.equal(prefix, tag.slice(0, 5));
  assert.equal(suffix, tag.slice(5, 21));
  const requested = [];
  const bucket = (entries) => async (path) => {
    requested.push(path);
    return { v: 1, kind: 'nir', prefix, suffix_hex: 16, breaches: ['a', 'b', 'c'], entries };
  };
  const others = [['0000000000000000', [0]], ['ffffffffffffffff', [1]]];
  const found = await lookUp('nir', '185057800608491', info,
    { fetchJson: bucket([others[0], [suffix, [0, 2]], others[1]]), subtle });
  assert.deepEqual(found, { found: true, breaches: ['a', 'c'], prefix });
  const absent = await lookUp('nir', '185057800608491', info, { fetchJson: bucket(others), subtle });
  assert.deepEqual(absent, { found: false, breaches: [], prefix });
  assert.deepEqual(requested, [`v1/range/nir/${prefix}`, `v1/range/nir/${prefix}`]);
  for (const path of requested) {
    assert.ok(!path.includes(suffix) && !path.includes('185057800608491'));
  }
});

// A server of sets for lookUpSet: `sets` are buildSet results, served in turn (an index update between two
// requests: the manifest of one, the shards of the next). Every request is recorded.
function setServer(...sets) {
  const requests = [];
  let manifestAt = 0;
  let shardsAt = 0;
  const io = {
    subtle,
    manifest: async (kind, { fresh = false } = {}) => {
      requests.push(fresh ? 'manifest (fresh)' : 'manifest');
      if (fresh) manifestAt = Math.min(manifestAt + 1, sets.length - 1);
      return parseSetManifest(sets[manifestAt].manifest, kind);
    },
    fetchBytes: async (path, { fresh = false } = {}) => {
      requests.push(fresh ? `${path} (fresh)` : path);
      const body = sets[shardsAt].shards.get(path);
      assert.ok(body, path);
      return body;
    },
  };
  return { io, requests, next: () => { shardsAt += 1; } };
}

const digest = (canonical) => new Uint8Array(createHash('sha256').update(`vigie:nir:${canonical}`).digest());
// Synthetic identifiers: 400 indexed in breaches a and/or b, the rest not.
const ids = Array.from({ length: 500 }, (_, i) => `id-${i}`);
const entries = ids.slice(0, 400).map((id, i) => ({ tag: digest(id), breaches: [['a'], ['b'], ['a', 'b']][i % 3] }));
const geometry = { kind: 'nir', scheme: 'sha256', shardBits: 4, tagBits: 30, breaches: ['a', 'b', 'c'], entries };

test('private path: one shard per look-up, named by the first shard_bits bits; found and absent', async () => {
  const server = setServer(buildSet({ ...geometry, generation: 5 }));
  for (const [i, id] of ids.entries()) {
    server.requests.length = 0;
    const answer = await lookUpSet('nir', id, info, server.io);
    const shard = digest(id)[0] >> 4;
    assert.equal(answer.shard, shard);
    // The one request that depends on the identifier carries its shard number (4 bits here), nothing more.
    assert.deepEqual(server.requests, ['manifest', `v1/set/nir/${shard.toString(16)}`]);
    const want = i < 400 ? entries[i].breaches : [];
    assert.deepEqual(answer, { found: want.length > 0, breaches: want, shard, timing: answer.timing });
    assert.ok(['tag', 'fetch', 'match'].every((name) => answer.timing[name] >= 0));
  }
});

test('private path: a shard of another generation gets one fresh manifest, then an error', async () => {
  const id = ids[7];
  const shardPath = `v1/set/nir/${(digest(id)[0] >> 4).toString(16)}`;
  const old = buildSet({ ...geometry, generation: 5 });
  // The update adds breach d, with this identifier in it (and only there): the new shard names position 3,
  // which the old manifest does not list.
  const updated = buildSet({ ...geometry, generation: 6, breaches: ['a', 'b', 'c', 'd'],
    entries: [...entries.slice(10), { tag: digest(id), breaches: ['d'] }] });
  // The cached manifest is older than the shard: the fresh manifest describes the shard already here.
  let server = setServer(old, updated);
  server.next();
  assert.deepEqual((await lookUpSet('nir', id, info, server.io)).breaches, ['d']);
  assert.deepEqual(server.requests, ['manifest', shardPath, 'manifest (fresh)']);
  // The shard is older than the manifest (an HTTP cache): fetched again, past the cache.
  server = setServer(updated, updated);
  server.io.fetchBytes = ((fetch, first) => async (path, options) => {
    if (first) {
      first = false;
      server.requests.push(path);
      return old.shards.get(path);
    }
    return fetch(path, options);
  })(server.io.fetchBytes, true);
  assert.deepEqual((await lookUpSet('nir', id, info, server.io)).breaches, ['d']);
  assert.deepEqual(server.requests, ['manifest', shardPath, 'manifest (fresh)', `${shardPath} (fresh)`]);
  // Still not the same generation after that: an error, not an answer.
  server = setServer(old, old);
  server.io.fetchBytes = async (path) => updated.shards.get(path);
  await assert.rejects(lookUpSet('nir', id, info, server.io), /set\.generation/);
  // Another geometry in the fresh manifest (shard bits changed): the shard it names is fetched.
  const regrown = buildSet({ ...geometry, generation: 6, shardBits: 5 });
  server = setServer(old, regrown);
  server.next();
  assert.deepEqual((await lookUpSet('nir', id, info, server.io)).breaches, entries[7].breaches);
  assert.equal(server.requests.at(-1), `v1/set/nir/${(digest(id)[0] >> 3).toString(16)} (fresh)`);
});

test('private path: a damaged shard or one answering another question is an error, never "not found"', async () => {
  const set = buildSet({ ...geometry, generation: 5 });
  const id = ids[450]; // absent: a damaged shard must not turn into its "not found"
  const path = `v1/set/nir/${(digest(id)[0] >> 4).toString(16)}`;
  const serve = (body) => {
    const server = setServer(set);
    server.io.fetchBytes = async () => body;
    return server.io;
  };
  const good = set.shards.get(path);
  for (let at = 0; at < good.length; at += 1) {
    const body = Uint8Array.from(good);
    body[at] ^= 0x10;
    await assert.rejects(lookUpSet('nir', id, info, serve(body)), SetError, `byte ${at}`);
  }
  await assert.rejects(lookUpSet('nir', id, info, serve(good.subarray(0, good.length - 1))), /set\.truncated/);
  const otherShard = [...set.shards.keys()].find((p) => p !== path);
  await assert.rejects(lookUpSet('nir', id, info, serve(set.shards.get(otherShard))), /set\.mismatch/);
  const email = buildSet({ ...geometry, kind: 'email', generation: 5 });
  await assert.rejects(lookUpSet('nir', id, info, serve(email.shards.get(path.replace('nir', 'email')))),
    /set\.mismatch/);
  // Breach positions beyond the manifest's list, in a shard of its generation.
  const more = buildSet({ ...geometry, generation: 5, breaches: ['a', 'b', 'c', 'd'],
    entries: [...entries, { tag: digest(ids[499]), breaches: ['d'] }] });
  const sameShard = `v1/set/nir/${(digest(ids[499])[0] >> 4).toString(16)}`;
  const beyond = setServer(set);
  beyond.io.fetchBytes = async () => more.shards.get(sameShard);
  await assert.rejects(lookUpSet('nir', ids[499], info, beyond.io), /set\.combos/);
  // A manifest of another scheme: its tags are not these.
  const oprfSet = setServer(buildSet({ ...geometry, scheme: 'oprf-p256', generation: 5 }));
  await assert.rejects(lookUpSet('nir', id, info, oprfSet.io), /set\.scheme/);
  assert.deepEqual(oprfSet.requests, ['manifest']);
});

test('range bodies this page cannot read are refused', () => {
  const want = { kind: 'nir', prefix: 'abcde', suffix: '0123456789abcdef' };
  const body = { v: 1, kind: 'nir', prefix: 'abcde', suffix_hex: 16, breaches: [], entries: [] };
  assert.equal(matchRange(body, want), null);
  assert.equal(matchRange({ ...body, prefix: 'ABCDE' }, want), null);
  assert.throws(() => matchRange({ ...body, v: 2 }, want), /range.version/);
  assert.throws(() => matchRange({ ...body, kind: 'email' }, want), /range.bucket/);
  assert.throws(() => matchRange({ ...body, suffix_hex: 12 }, want), /range.suffix/);
  assert.throws(() => parseIndexInfo({ v: 2 }), /index.version/);
  assert.throws(() => parseIndexInfo({ v: 1, prefix_hex: 0, suffix_hex: 16 }), /index.prefix/);
  // A bucket of many entries: binary search finds every one and nothing else.
  const entries = Array.from({ length: 1000 }, (_, i) => [(i * 7919).toString(16).padStart(16, '0'), [i % 3]]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const big = { ...body, breaches: ['x', 'y', 'z'], entries };
  for (const [suffix, [i]] of entries) {
    assert.deepEqual(matchRange(big, { ...want, suffix }), [['x', 'y', 'z'][i]]);
  }
  assert.equal(matchRange(big, { ...want, suffix: 'fffffffffffffff1' }), null);
});

test('texts: both languages complete; every reason slug of the tables has its own message', () => {
  assert.deepEqual(missingKeys(), []);
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  for (const kind of ['nir', 'email', 'phone']) {
    const table = readCaseTable(join(repo, 'tests', 'cases', `${kind}-cases.tsv`));
    const reasons = new Set(table.rows.map((r) => r.fields[1]).filter((r) => r !== 'ok'));
    for (const reason of reasons) {
      for (const lang of LANGUAGES) {
        assert.notEqual(reasonMessage(lang, kind, reason), t(lang, 'reason.other'), `${lang} ${kind} ${reason}`);
      }
    }
  }
  assert.match(reasonMessage('fr', 'nir', 'nir.key'), /les deux derniers chiffres/i);
  assert.match(reasonMessage('en', 'nir', 'nir.key'), /last two digits/);
  assert.match(reasonMessage('fr', 'nir', 'nir.length', 12), /manque.*saisi 12/);
  assert.match(reasonMessage('fr', 'nir', 'nir.length', 16), /Trop de chiffres.*saisi 16/);
  assert.match(reasonMessage('fr', 'nir', 'nir.corsica'), /2A ou 2B/);
});

test('privacy note: the bits sent, and for a NIR the share of its 999 neighbours (999 / 2^s)', () => {
  const fr = privacySent('fr', { oprf: false, shardBits: 6, kind: 'nir' });
  assert.match(fr, /seulement les 6 premiers bits de l’empreinte \(SHA-256\)/);
  assert.match(fr, /un morceau sur 64/);
  assert.match(fr, /des 999 personnes au plus nées le même mois, dans la même commune .* ≈\s15,6 en moyenne \(999\s\/\s64\)/);
  const en = privacySent('en', { oprf: true, shardBits: 6, kind: 'nir' });
  assert.match(en, /“blinded” point that reveals nothing/);
  assert.match(en, /only the first 6 bits of the resulting fingerprint/);
  assert.match(en, /≈\s15\.6 on average \(999\s\/\s64\)/);
  assert.doesNotMatch(privacySent('fr', { oprf: false, shardBits: 6, kind: 'email' }), /999/);
  assert.match(privacySent('fr', { oprf: false, shardBits: 1, kind: 'nir' }), /le premier bit .* ≈\s500/);
  assert.match(privacySent('en', { oprf: false, shardBits: 12, kind: 'nir' }), /4,096 .* ≈\s0\.244/);
  assert.match(privacySent('fr', { oprf: true, shardBits: 0, kind: 'nir' }), /liste entière/);
  assert.doesNotMatch(privacySent('en', { oprf: false, shardBits: 0, kind: 'nir' }), /999|\{/);
});
