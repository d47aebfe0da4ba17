// The page's look-up (web/src/lookup.js) and texts (web/src/i18n.js), without a browser: tags match
// sha256("vigie:{kind}:{canonical}"), only the prefix is requested, suffixes are matched locally, and every
// reason slug of the shared tables has its own message in both languages.
import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { LANGUAGES, missingKeys, reasonMessage, t } from '../src/i18n.js';
import { lookUp, matchRange, parseIndexInfo, splitTag, tagHex } from '../src/lookup.js';
import { readCaseTable } from './case_table.mjs';

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
