// The browser normalisers (web/src/normalize.js) against every row of the tables the C++ tests read:
// tests/cases/{nir,email,phone}-cases.tsv and tests/vectors/nir-public.tsv. Same expectations as
// core/nir_test.cc, core/email_test.cc and core/phone_test.cc.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  computeNirKey,
  nirSignificantLength,
  normalize,
  normalizeEmail,
  normalizeNir,
  normalizePhone,
} from '../src/normalize.js';
import { readCaseTable } from './case_table.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cases = (name) => join(repo, 'tests', 'cases', name);
const show = (bytes) => JSON.stringify(Buffer.from(bytes).toString('latin1'));

// Every row: ok rows give their canonical form, others their reason slug.
function checkTable(path, normalizer, minimumRows) {
  const table = readCaseTable(path);
  assert.ok(table.rows.length >= minimumRows, `${path}: only ${table.rows.length} rows`);
  for (const row of table.rows) {
    const [canonical, reason] = row.fields;
    const where = `${path}:${row.line} input ${show(row.input)}`;
    const got = normalizer(row.input);
    if (reason === 'ok') {
      assert.deepEqual(got, { ok: true, canonical }, where);
    } else {
      assert.equal(got.ok, false, `${where}: accepted as ${got.canonical}`);
      assert.equal(got.reason, reason, where);
      assert.equal(canonical, '', `${where}: a rejected row has no canonical form`);
    }
  }
  return table.rows.length;
}

test('NIR: every row of tests/cases/nir-cases.tsv', () => {
  checkTable(cases('nir-cases.tsv'), normalizeNir, 50);
});

test('e-mail: every row of tests/cases/email-cases.tsv', () => {
  checkTable(cases('email-cases.tsv'), normalizeEmail, 40);
});

test('phone: every row of tests/cases/phone-cases.tsv', () => {
  checkTable(cases('phone-cases.tsv'), normalizePhone, 50);
});

test('NIR: every public vector of tests/vectors/nir-public.tsv', () => {
  const path = join(repo, 'tests', 'vectors', 'nir-public.tsv');
  assert.ok(existsSync(path), `${path} is missing`);
  const verdicts = {
    key: ['nir.key', 'nir.key-range'],
    format: ['nir.characters', 'nir.corsica'],
    length: ['nir.length'],
  };
  const table = readCaseTable(path);
  assert.ok(table.rows.length >= 30);
  for (const row of table.rows) {
    const [canonical, verdict] = row.fields;
    const where = `${path}:${row.line}`;
    const got = normalizeNir(row.input);
    if (verdict === 'ok' || verdict === 'ok-nokey') {
      assert.deepEqual(got, { ok: true, canonical }, where);
    } else {
      assert.ok(verdicts[verdict], `${where}: unknown verdict ${verdict}`);
      assert.equal(got.ok, false, where);
      assert.ok(verdicts[verdict].includes(got.reason), `${where}: ${got.reason}`);
    }
  }
});

test('strings typed in a browser behave like their UTF-8 bytes', () => {
  // What a page gets from an <input>: JS strings, NBSP as U+00A0 (C2 A0 once encoded).
  assert.deepEqual(normalize('nir', '1\u00a085 05 78 006 084 91'), { ok: true, canonical: '185057800608491' });
  assert.deepEqual(normalize('nir', '2 73 05 2a 012 345'), { ok: true, canonical: '273052A01234535' });
  assert.deepEqual(normalize('email', '\u202f John@Example.COM '), { ok: true, canonical: 'john@example.com' });
  assert.deepEqual(normalize('phone', '06\u00a012 34 56 78'), { ok: true, canonical: '+33612345678' });
  assert.equal(normalize('email', 'jöhn@example.com').reason, 'email.non-ascii');
  assert.equal(normalize('car', 'x').reason, 'kind.unknown');
});

test('NIR key: every 13-digit prefix against 97 - (N mod 97) computed with BigInt', () => {
  // A deterministic sweep (LCG) over the whole 13-digit space, Corsica included.
  let seed = 12345n;
  for (let i = 0; i < 2000; i += 1) {
    seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
    const digits = (seed % 10n ** 13n).toString().padStart(13, '0');
    assert.equal(computeNirKey(digits), Number(97n - (BigInt(digits) % 97n)), digits);
    const corsica = `${digits.slice(0, 5)}2${i % 2 ? 'A' : 'B'}${digits.slice(7)}`;
    const n = BigInt(`${digits.slice(0, 5)}${i % 2 ? '19' : '18'}${digits.slice(7)}`);
    assert.equal(computeNirKey(corsica), Number(97n - (n % 97n)), corsica);
  }
  assert.equal(computeNirKey('123'), -1);
  assert.equal(computeNirKey('12345X7890123'), -1);
});

test('NIR: significant length for the "you typed N" message', () => {
  assert.equal(nirSignificantLength('1 85 05 78 006 08'), 12);
  assert.equal(nirSignificantLength('2A.12'), 4);
});
