// The citizen page in a real browser: Debian's headless Chromium driven by playwright-core, against a running
// vigie-serve (tests/e2e/web_page.sh starts it on a generated index). Checks that a present NIR shows its
// breach, an absent one says so, input errors are explained, the page uses the private path (PRODUCT.md §3b):
// every look-up asks for exactly one shard of the set (GET v1/set/nir/{hex}, the one the tag's first
// shard_bits bits name; the manifest, fetched once, aside) and never /v1/range, so nothing but the shard
// number reaches the server (every request the page makes is recorded); the privacy note states the shard
// bits and, for a NIR, 999 / 2^s; a damaged shard (a byte flipped, truncated; Playwright routes) shows the
// "check failed" error, never "not found", and one of another generation gets one fresh manifest, then the
// "updated during your check" message; the page passes axe-core's WCAG 2.1 AA rules in every state, keyboard
// use works, and a phone-sized screen has no horizontal scrolling. Saves screenshots of the states. Prints
// the time of a check (evaluation + shard fetch + decode + match, the page's own `vigie.check` measure, and
// click to result) on the server's shard and on a full-size one (≈ 1.4 MB: 520 000 entries of 39 bits, as
// 33 M NIRs make with 6 shard bits; served by a route in place of the server's).
// With OPRF_KEY_FILE the index is oprf-p256 under that key: the page must fetch the server's public key,
// blind, have the server evaluate verifiably, check the proof, finalize, then fetch the shard; the requests
// then hold only the blinded point (the POST body, fresh for every check) and the shard number. Answers
// altered on the way (Playwright routes: a proof byte flipped, no proof, a per-client key's proof, a
// malformed key) give the "check refused" error, never a result, and no shard is asked for. Too many
// evaluations give the "try again in N seconds" message (the server runs with a small --oprf-burst, checked
// last; the damaged-shard checks evaluate in a route, with the key, to keep the server's budget for it).
//
// vigie-serve embeds the page when it is built: a server built before the last change to web/src serves
// another page, which this script reports first (rebuild it). With VIGIE_WEB_FROM_SOURCE=1 the browser gets
// web/src's bytes instead, under the server's status and headers, to test the page of the working tree
// against such a server's API.
//
// Usage: node browser.mjs BASE_URL PRESENT_NIR ABSENT_NIR SCREENSHOT_DIR [OPRF_KEY_FILE]
//   PRESENT_NIR is indexed in breach "mutuelle-a" (title "Mutuelle A"); ABSENT_NIR is not. Both canonical.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { crc32, decodeShard } from '../src/set.js';
import { p256, p256_hasher, p256_oprf } from '../src/vendor-noble-curves-nist.js';
import { encodeShard } from './set_encoder.mjs';

const [base, present, absent, shots, keyFile] = process.argv.slice(2);
if (!shots) {
  console.error('usage: browser.mjs BASE_URL PRESENT_NIR ABSENT_NIR SCREENSHOT_DIR [OPRF_KEY_FILE]');
  process.exit(2);
}
const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
mkdirSync(shots, { recursive: true });
const origin = new URL(base).origin;
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const sha256Tag = (canonical) => createHash('sha256').update(`vigie:nir:${canonical}`).digest('hex');
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const input = (canonical) => new TextEncoder().encode(`vigie:nir:${canonical}`);
// The server key (vigie-index keygen's file: a header line, then the secret scalar in hex), read here only
// to compute the expected tags directly with Evaluate, independently of the page's blinded round.
const secretKey = keyFile
  ? Buffer.from(readFileSync(keyFile, 'utf8').match(/^[0-9a-f]{64}$/m)[0], 'hex') : null;
const oprfTag = (canonical) => hex(p256_oprf.oprf.evaluate(secretKey, input(canonical)));
const publicKeyHex = secretKey ? hex(p256.Point.BASE.multiply(BigInt(`0x${hex(secretKey)}`)).toBytes(true)) : null;
const tag = (canonical) => (secretKey ? oprfTag(canonical) : sha256Tag(canonical));
// What the OPRF round must never reveal besides the tag: the input's group element and its evaluation.
const elementHex = (canonical) =>
  hex(p256_hasher.hashToCurve(input(canonical), { DST: 'HashToGroup-OPRFV1-\x00-P256-SHA256' }).toBytes());
const spaced = (n) =>
  [n[0], n.slice(1, 3), n.slice(3, 5), n.slice(5, 7), n.slice(7, 10), n.slice(10, 13), n.slice(13)].join(' ');
// The same NIR with a wrong key (still 01..97).
const wrongKey = (n) => n.slice(0, 13) + String((Number(n.slice(13)) % 97) + 1).padStart(2, '0');

const fromSource = process.env.VIGIE_WEB_FROM_SOURCE === '1';
// web/src's file for a URL the page loads ("/" is index.html), or null for the API.
function pageFile(url) {
  const { pathname } = new URL(url);
  if (pathname === '/') return 'index.html';
  return pathname.match(/^\/static\/([A-Za-z0-9_.-]+)$/)?.[1] ?? null;
}

// A response with another body: the server's status and headers, less those that described its own body.
function fulfill(route, response, body) {
  const headers = { ...response.headers() };
  for (const name of ['content-length', 'content-encoding', 'etag']) delete headers[name];
  return route.fulfill({ status: response.status(), headers, body });
}

const TYPES = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml', txt: 'text/plain; charset=utf-8' };

async function servePageFromSource(ctx) {
  if (!fromSource) return;
  await ctx.route((url) => url.origin === origin && pageFile(url.href) !== null, async (route) => {
    const response = await route.fetch();
    const name = pageFile(route.request().url());
    const path = join(src, name);
    if (!existsSync(path)) return route.fulfill({ response });
    if (response.status() !== 404) return fulfill(route, response, readFileSync(path));
    // A file the server's build does not have yet (a new module): the page's headers, its own type.
    const page = await route.fetch({ url: origin + '/' });
    const headers = { ...page.headers(), 'content-type': TYPES[name.split('.').pop()] };
    for (const header of ['content-length', 'content-encoding', 'etag']) delete headers[header];
    return route.fulfill({ status: 200, headers, body: readFileSync(path) });
  });
}

if (fromSource) {
  console.log('note: the page files come from web/src (VIGIE_WEB_FROM_SOURCE=1), the API from the server');
} else {
  const stale = [];
  for (const name of readdirSync(src).filter((n) => /\.(html|js|css|svg|txt)$/.test(n))) {
    const response = await fetch(new URL(name === 'index.html' ? '/' : `/static/${name}`, origin));
    if (!Buffer.from(await response.arrayBuffer()).equals(readFileSync(join(src, name)))) stale.push(name);
  }
  if (stale.length > 0) {
    console.error(`FAIL: the server does not serve web/src as it is now (${stale.join(', ')} differ): rebuild ` +
      'vigie-serve, or set VIGIE_WEB_FROM_SOURCE=1 to test web/src against this server');
    process.exit(1);
  }
}

// The set's geometry as the server publishes it: which shard each NIR's look-up must ask for.
const manifest = await (await fetch(new URL('v1/set/nir', origin))).json();
const firstBits = (canonical, n) => (n === 0 ? 0n : BigInt(`0x${tag(canonical).slice(0, 16)}`) >> BigInt(64 - n));
const shardOf = (canonical) => Number(firstBits(canonical, manifest.shard_bits));
const shardPathOf = (canonical) => `/v1/set/nir/${shardOf(canonical).toString(16)}`;
const SHARD_PATH = /^\/v1\/set\/nir\/[0-9a-f]+$/;
const shardUrl = (url) => SHARD_PATH.test(url.pathname);

let failures = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok: ${name}`);
  } catch (e) {
    failures += 1;
    console.error(`FAIL: ${name}\n${e.stack || e}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run',
  ],
});
const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, locale: 'fr-FR', colorScheme: 'light' });
await servePageFromSource(context);
const page = await context.newPage();

const requests = [];
// Bodies as bytes (the OPRF body is binary): kept as hex, and as latin1 text to look for typed characters.
page.on('request', (r) => {
  const body = r.postDataBuffer() || Buffer.alloc(0);
  requests.push({ url: r.url(), method: r.method(), hex: body.toString('hex'), text: body.toString('latin1') });
});
// The evaluation answers as the page got them (hex), to check they carried a proof.
const evaluateAnswers = [];
page.on('response', async (r) => {
  if (new URL(r.url()).pathname === '/v1/oprf/nir/evaluate' && r.ok()) {
    evaluateAnswers.push((await r.body()).toString('hex'));
  }
});
const problems = [];
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
page.on('pageerror', (e) => problems.push(String(e)));

async function axe(state) {
  const result = await page.evaluate(`${axeSource}
    ;axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
      .then((r) => r.violations.map((v) =>
        v.id + ': ' + v.help + ' (' + v.nodes.map((n) => n.target.join(' ')).join(', ') + ')'))`);
  assert.deepEqual(result, [], `axe violations (${state})`);
}

// A shard or manifest answer changed on the way: `change(body)` alters the bytes in place or returns others.
const altered = (change) => async (route) => {
  const response = await route.fetch();
  const body = Buffer.from(await response.body());
  await fulfill(route, response, change(body) || body);
};

// Every look-up: exactly one shard request, the one its NIR's tag names (the manifest aside), no range.
function assertOneShard(before, canonical) {
  const paths = requests.slice(before).map((r) => new URL(r.url).pathname);
  assert.deepEqual(paths.filter((p) => SHARD_PATH.test(p)), [shardPathOf(canonical)], String(paths));
  assert.ok(!paths.some((p) => p.startsWith('/v1/range/')), `no range request: ${paths}`);
}

// The page's own measure of its last check (app.js: tag, then shard fetch + decode + match), in ms.
const timings = [];
async function recordTiming(label, clickToResult, target = page) {
  const last = await target.evaluate(() => {
    const entry = performance.getEntriesByName('vigie.check').at(-1);
    return entry ? { total: entry.duration, ...entry.detail } : null;
  });
  assert.ok(last, 'the page measured its check');
  timings.push({ label, ...last, clickToResult });
}

const result = page.locator('#result');
const error = page.locator('#error');
// Returns the time (performance.now()) just before the submit.
async function submitNir(text, { keyboard = false } = {}) {
  await page.locator('#value').fill('');
  // Typed key by key, as a person would: nothing may leave the page before the submit.
  const before = requests.length;
  await page.locator('#value').pressSequentially(text);
  assert.equal(requests.length, before, 'typing made no request');
  const submitted = performance.now();
  if (keyboard) await page.keyboard.press('Enter');
  else await page.locator('#submit').click();
  return submitted;
}

await check('the page loads with its policy, explains what is sent, in French', async () => {
  const response = await page.goto(base);
  assert.equal(response.status(), 200);
  const headers = response.headers();
  assert.match(headers['content-security-policy'], /default-src 'none'; script-src 'self'/);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  await page.waitForFunction(() => document.querySelector('#privacy-sent').textContent.includes('6 premiers bits'));
  assert.equal(manifest.shard_bits, 6, 'the test index has the default 6 shard bits');
  assert.match(await page.locator('#privacy-sent').innerText(),
    /un morceau sur 64 .* des 999 personnes au plus nées le même mois, dans la même commune .* ≈\s15,6 en moyenne \(999\s\/\s64\)/s);
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  assert.match(await page.locator('.privacy').innerText(), /Jamais envoyé : votre numéro/);
  if (secretKey) {
    await page.waitForFunction(() =>
      /point « aveuglé » qui ne révèle rien/.test(document.querySelector('.privacy').textContent));
    assert.match(await page.locator('.privacy').innerText(), /le nombre aléatoire qui le brouille/);
  } else {
    assert.doesNotMatch(await page.locator('.privacy').innerText(), /aveuglé/);
  }
  assert.deepEqual(await context.cookies(), []);
  await axe('initial');
  await page.screenshot({ path: join(shots, 'page-fr.png'), fullPage: true });
});

await check('a present NIR shows its breach, title, date, data classes and advice; one shard asked for', async () => {
  const before = requests.length;
  const clicked = await submitNir(spaced(present));
  await page.locator('#result.found').waitFor();
  await recordTiming(`the server's shard (${manifest.shards[shardOf(present)].bytes} bytes)`, performance.now() - clicked);
  assertOneShard(before, present);
  const text = await result.innerText();
  assert.match(text, /figure dans 1 fuite connue/);
  assert.match(text, /Mutuelle A/);
  assert.match(text, /1 février 2024/);
  assert.match(text, /noms et prénoms, numéros de sécurité sociale/);
  assert.match(text, /Que faire maintenant/);
  assert.equal(await result.getAttribute('aria-live'), 'polite');
  await axe('found');
  await page.screenshot({ path: join(shots, 'found-fr.png'), fullPage: true });
});

await check('an absent NIR is reported absent (keyboard only: Tab to the field, Enter to submit)', async () => {
  await page.locator('#value').fill('');
  await page.locator('#lang').focus();
  for (let i = 0; i < 6 && (await page.evaluate(() => document.activeElement.id)) !== 'value'; i += 1) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'value', 'the field is reachable with Tab');
  const before = requests.length;
  await submitNir(absent, { keyboard: true });
  await page.locator('#result.absent').waitFor();
  assertOneShard(before, absent);
  assert.match(await result.innerText(), /ne figure dans aucune fuite connue/);
  await axe('absent');
  await page.screenshot({ path: join(shots, 'absent-fr.png'), fullPage: true });
});

await check('a wrong key is explained, and nothing is requested for it', async () => {
  const before = requests.length;
  await submitNir(spaced(wrongKey(present)));
  await error.waitFor({ state: 'visible' });
  assert.match(await error.innerText(), /Les deux derniers chiffres \(la clé\) ne correspondent pas/);
  assert.equal(await page.locator('#value').getAttribute('aria-invalid'), 'true');
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.equal(await result.innerText(), '');
  assert.equal(requests.length, before);
  await axe('wrong key');
  await page.screenshot({ path: join(shots, 'wrong-key-fr.png'), fullPage: true });
});

await check('a misplaced Corsica letter and too few digits are explained', async () => {
  await submitNir('2 84 05 A2 321 025 52');
  await page.waitForFunction(() => /2A ou 2B/.test(document.querySelector('#error').textContent));
  await submitNir('1 85 05 78 006 08');
  await page.waitForFunction(() => /Il manque des chiffres.*saisi 12/.test(document.querySelector('#error').textContent));
});

await check('English: the switch translates the page and the messages', async () => {
  await page.locator('#lang').click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.match(await page.locator('h1').innerText(), /Has my number leaked/);
  assert.match(await error.innerText(), /Some digits are missing/);
  assert.match(await page.locator('#privacy-sent').innerText(), /one part out of 64 .* ≈\s15\.6 on average \(999\s\/\s64\)/s);
  const before = requests.length;
  await submitNir(spaced(present));
  await page.locator('#result.found').waitFor();
  assertOneShard(before, present);
  assert.match(await result.innerText(), /appears in 1 known breach/);
  assert.match(await result.innerText(), /1 February 2024/);
  await axe('english');
  await page.screenshot({ path: join(shots, 'found-en.png'), fullPage: true });
  await page.locator('#lang').click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
});

await check(secretKey ? 'nothing but the blinded point and the shard number reaches the server'
  : 'nothing but the shard number reaches the server', async () => {
  assert.deepEqual(requests.filter((r) => r.url.includes('/v1/range/')).map((r) => r.url), [], 'no range request');
  // One shard per check: present twice, absent once.
  const shards = requests.filter((r) => SHARD_PATH.test(new URL(r.url).pathname));
  assert.deepEqual(shards.map((r) => new URL(r.url).pathname).sort(),
    [shardPathOf(present), shardPathOf(present), shardPathOf(absent)].sort());
  const secrets = [present, absent, wrongKey(present), spaced(present), encodeURIComponent(spaced(present))];
  const hexSecrets = [];
  for (const n of [present, absent]) {
    hexSecrets.push(tag(n), tag(n).slice(5, 21), sha256Tag(n), sha256Tag(n).slice(5, 21), hex(input(n)));
    if (secretKey) hexSecrets.push(elementHex(n).slice(2), oprfTag(n).slice(5, 21));
  }
  const evaluations = [];
  for (const r of requests) {
    const url = new URL(r.url);
    assert.equal(url.origin, origin, `only the page's own origin: ${r.url}`);
    if (secretKey && url.pathname === '/v1/oprf/nir/evaluate') {
      // A verifiable evaluation of u16be count 1 || one compressed point: nothing else.
      assert.equal(url.search, '?verifiable=1', `a verifiable evaluation: ${r.url}`);
      assert.equal(r.method, 'POST');
      assert.match(r.hex, /^0001(02|03)[0-9a-f]{64}$/, r.hex);
      evaluations.push(r.hex);
    } else {
      assert.equal(url.search, '', `no query string: ${r.url}`);
      assert.equal(r.method, 'GET', r.url);
      assert.equal(r.hex, '', r.url);
    }
    for (const secret of secrets) assert.ok(!r.url.includes(secret) && !r.text.includes(secret), r.url);
    for (const secret of hexSecrets) assert.ok(!r.url.includes(secret) && !r.hex.includes(secret), r.url);
  }
  if (secretKey) {
    // One evaluation per check that reached the server (present twice, absent once), each freshly blinded.
    assert.equal(evaluations.length, shards.length);
    assert.ok(evaluations.length >= 3);
    assert.equal(new Set(evaluations).size, evaluations.length, 'a fresh blind for every check');
    // Each answer carried a proof (count 1 || point || mode 1 || 64 bytes), checked against the key the
    // page fetched before its first evaluation.
    assert.equal(evaluateAnswers.length, evaluations.length);
    for (const answer of evaluateAnswers) assert.match(answer, /^0001(02|03)[0-9a-f]{64}01[0-9a-f]{128}$/, answer);
    const paths = requests.map((r) => new URL(r.url).pathname);
    assert.ok(paths.includes('/v1/oprf/key'), 'the page fetched v1/oprf/key');
    assert.ok(paths.indexOf('/v1/oprf/key') < paths.indexOf('/v1/oprf/nir/evaluate'), 'the key came first');
  }
  const vendored = readdirSync(src).filter((name) => /^(vendor-.*|oprf)\.js$/.test(name));
  const allowed = new Set(['/', '/static/app.js', '/static/i18n.js', '/static/lookup.js', '/static/normalize.js',
    '/static/set.js', '/static/style.css', '/static/favicon.svg', '/v1/index', '/v1/breaches', '/v1/set/nir',
    '/v1/set/nir/SHARD']);
  // The curve code is fetched only for an OPRF index.
  if (secretKey) for (const name of [...vendored, 'oprf.js']) allowed.add(`/static/${name}`);
  if (secretKey) for (const path of ['/v1/oprf/nir/evaluate', '/v1/oprf/key']) allowed.add(path);
  for (const r of requests) {
    const path = new URL(r.url).pathname.replace(SHARD_PATH, '/v1/set/nir/SHARD');
    assert.ok(allowed.has(path), `unexpected request ${path}`);
  }
  // The manifest once, for the page's life.
  assert.equal(requests.filter((r) => new URL(r.url).pathname === '/v1/set/nir').length, 1);
});

// On an OPRF index these checks evaluate here, with the key (a valid proof), not on the server, whose
// evaluation budget is kept for the checks after them.
const evaluateUrl = (url) => url.pathname === '/v1/oprf/nir/evaluate';
const blindedOf = (request) => request.postDataBuffer().subarray(2);
const answer = (route, bytes) =>
  route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from(bytes) });
const evaluateHere = (route) => {
  const { evaluated, proof } = p256_oprf.voprf.blindEvaluateBatch(secretKey, Buffer.from(publicKeyHex, 'hex'),
    [blindedOf(route.request())]);
  return answer(route, [0, 1, ...evaluated[0], 1, ...proof]);
};

await check('a damaged shard shows "check failed", never "not found"; another generation: one fresh manifest', async () => {
  if (secretKey) await page.route(evaluateUrl, evaluateHere);
  const settled = () => page.waitForFunction(() => !document.querySelector('#submit').disabled
    && !/en cours/.test(document.querySelector('#result').textContent));
  const damages = [
    ['one byte flipped', (body) => { body[body.length >> 1] ^= 0x20; }],
    ['one bit of the CRC flipped', (body) => { body[(body.readUInt32BE(24))] ^= 0x01; }],
    ['truncated', (body) => body.subarray(0, body.length - 3)],
    ['empty', () => Buffer.alloc(0)],
  ];
  // The absent NIR: a damaged shard must not become its "not found" (nor the present one's "found").
  for (const [name, change] of damages) {
    for (const nir of [absent, present]) {
      const handler = altered(change);
      await page.route(shardUrl, handler);
      const before = requests.length;
      await submitNir(nir);
      await settled();
      assert.equal(await result.getAttribute('class'), 'result notice alert', name);
      assert.match(await result.innerText(), /^Vérification impossible : la liste reçue du serveur est endommagée/, name);
      assertOneShard(before, nir);
      await page.unroute(shardUrl, handler);
    }
  }
  await axe('damaged shard');
  await page.screenshot({ path: join(shots, 'damaged-fr.png'), fullPage: true });
  await page.locator('#lang').click();
  assert.match(await result.innerText(), /^Check failed: the list received from the server is damaged/);
  await page.locator('#lang').click();
  // A shard of the next generation (CRC made right): the manifest is fetched again, past the cache, then the
  // shard; still the next generation: "updated during your check", no result.
  const nextGeneration = altered((body) => {
    body[15] += 1;
    const payload = body.readUInt32BE(24);
    body.writeUInt32BE(crc32(body, 0, payload), payload);
  });
  await page.route(shardUrl, nextGeneration);
  const before = requests.length;
  await submitNir(absent);
  await settled();
  assert.match(await result.innerText(), /^La liste des fuites a été mise à jour pendant votre vérification/);
  const paths = requests.slice(before).map((r) => new URL(r.url).pathname).filter((p) => p.startsWith('/v1/set/'));
  assert.deepEqual(paths, ['/v1/set/nir', shardPathOf(absent), '/v1/set/nir', shardPathOf(absent)]);
  await page.unroute(shardUrl, nextGeneration);
  // With the server's answers again, the same checks give their results.
  await submitNir(absent);
  await page.locator('#result.absent').waitFor();
  await submitNir(present);
  await page.locator('#result.found').waitFor();
  if (secretKey) await page.unroute(evaluateUrl, evaluateHere);
});

await check('timing: a full-size shard (520 000 entries of 39 bits, ≈ 1.4 MB) in place of the server\'s', async () => {
  // The manifest says 45 tag bits (33 M NIRs: ceil(log2 33 M) + 20), and the present NIR's shard holds its
  // 39 bits after the shard number among 520 000 random values (33 M / 64), in its breach.
  const tagBits = 45;
  const valueBits = tagBits - manifest.shard_bits;
  const mine = firstBits(present, tagBits) & ((1n << BigInt(valueBits)) - 1n);
  const values = new Set([mine]);
  let x = 0x2545f4914f6cdd1dn;
  while (values.size < 520001) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    values.add(x >> BigInt(64 - valueBits));
  }
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const big = encodeShard({
    kind: 'nir', shardBits: manifest.shard_bits, tagBits, generation: manifest.generation, shard: shardOf(present),
    combos: [[0]], values: sorted, comboOf: [],
  });
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 }, locale: 'fr-FR' });
  await servePageFromSource(ctx);
  await ctx.route((url) => url.pathname === '/v1/set/nir', altered((body) =>
    Buffer.from(JSON.stringify({ ...JSON.parse(body), tag_bits: tagBits }))));
  await ctx.route((url) => url.pathname === shardPathOf(present), (route) =>
    route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from(big) }));
  const tab = await ctx.newPage();
  await tab.goto(base);
  await tab.waitForLoadState('networkidle'); // the manifest, and on OPRF the key and curve code, are here
  await tab.locator('#value').fill(present);
  const clicked = performance.now();
  await tab.locator('#submit').click();
  await tab.locator('#result.found').waitFor();
  await recordTiming(`a full-size shard (${sorted.length} entries, ${big.length} bytes)`, performance.now() - clicked, tab);
  assert.match(await tab.locator('#result').innerText(), /figure dans 1 fuite connue/);
  assert.ok(decodeShard(big, 1).count === sorted.length);
  await ctx.close();
});

await check('the privacy note follows the manifest\'s shard bits, and the kind', async () => {
  const ctx = await browser.newContext({ locale: 'fr-FR' });
  await servePageFromSource(ctx);
  await ctx.route((url) => url.pathname === '/v1/set/nir', altered((body) => {
    const m = JSON.parse(body);
    return Buffer.from(JSON.stringify({ ...m, shard_bits: 5, shards: m.shards.slice(0, 32) }));
  }));
  const tab = await ctx.newPage();
  await tab.goto(base);
  await tab.waitForFunction(() => document.querySelector('#privacy-sent').textContent.includes('5 premiers bits'));
  assert.match(await tab.locator('#privacy-sent').innerText(), /un morceau sur 32 .* ≈\s31,2 en moyenne \(999\s\/\s32\)/s);
  await tab.locator('#lang').click();
  assert.match(await tab.locator('#privacy-sent').innerText(), /the first 5 bits .* ≈\s31\.2 on average \(999\s\/\s32\)/s);
  await tab.locator('input[value="email"]').check();
  assert.doesNotMatch(await tab.locator('#privacy-sent').innerText(), /999/);
  await ctx.close();
});

if (secretKey) {
  // What the server (or anything between it and the page) may answer instead of a proven evaluation under its
  // published key. Each check's evaluation is served here, not by the server, but for the flipped proof byte:
  // the server's evaluation budget (--oprf-burst) is kept for the checks after this one.
  const tracker = p256_oprf.oprf.generateKeyPair();
  const attacks = [
    ['one byte of the proof flipped', evaluateUrl, async (route) => {
      const response = await route.fetch();
      const body = Buffer.from(await response.body());
      body[body.length - 1] ^= 0x01;
      await fulfill(route, response, body);
    }],
    ['the right evaluation, without a proof (OPRF mode)', evaluateUrl, (route) => answer(route,
      [0, 1, ...p256_oprf.oprf.blindEvaluate(secretKey, blindedOf(route.request())), 0])],
    ['a per-client key, with a valid proof for that key', evaluateUrl, (route) => {
      const { evaluated, proof } = p256_oprf.voprf.blindEvaluateBatch(tracker.secretKey, tracker.publicKey,
        [blindedOf(route.request())]);
      return answer(route, [0, 1, ...evaluated[0], 1, ...proof]);
    }],
    ['a malformed public key', (url) => url.pathname === '/v1/oprf/key', (route) => route.fulfill({
      status: 200, contentType: 'application/json',
      body: JSON.stringify({ suite: 'P256-SHA256', mode: 'oprf', public_key: `04${publicKeyHex.slice(2)}`,
        fingerprint: '0000000000000000', verifiable: true }),
    })],
  ];
  await check('an answer without a valid proof under the published key: "check refused", no result, no shard',
    async () => {
      for (const [i, [name, url, handler]] of attacks.entries()) {
        await page.route(url, handler);
        const before = requests.length;
        await submitNir(present);
        await page.waitForFunction(() => !document.querySelector('#submit').disabled
          && !/en cours/.test(document.querySelector('#result').textContent));
        assert.equal(await result.getAttribute('class'), 'result notice alert', name);
        assert.match(await result.innerText(), /^Vérification refusée : la réponse du serveur ne prouve pas/, name);
        const sent = requests.slice(before).map((r) => new URL(r.url).pathname);
        assert.ok(!sent.some((path) => SHARD_PATH.test(path) || path.startsWith('/v1/range/')),
          `${name}: no shard asked for (${sent})`);
        // The page fetches the key again after a refusal; a malformed one stops the check before any evaluation.
        assert.equal(sent.includes('/v1/oprf/key'), i > 0, `${name}: ${sent}`);
        if (name === 'a malformed public key') assert.ok(!sent.includes('/v1/oprf/nir/evaluate'), String(sent));
        await page.unroute(url, handler);
      }
      await axe('check refused');
      await page.screenshot({ path: join(shots, 'unverified-fr.png'), fullPage: true });
      await page.locator('#lang').click();
      assert.match(await result.innerText(), /^Check refused: the server’s answer does not prove/);
      await page.locator('#lang').click();
      // With the server's own answers again, the same check shows the breach.
      await submitNir(present);
      await page.locator('#result.found').waitFor();
    });
}

await check('no console errors or CSP violations', async () => {
  assert.deepEqual(problems, []);
});

await check('phone screen: no horizontal scrolling, e-mail and phone kinds work', async () => {
  const phone = await browser.newContext({
    viewport: { width: 360, height: 740 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'fr-FR',
  });
  await servePageFromSource(phone);
  const mobile = await phone.newPage();
  await mobile.goto(base);
  await mobile.waitForFunction(() => document.querySelector('#privacy-sent').textContent.includes('6 premiers bits'));
  assert.ok(await mobile.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits the width');
  await mobile.locator('#value').fill(spaced(present));
  await mobile.locator('#submit').click();
  await mobile.locator('#result.found').waitFor();
  assert.ok(await mobile.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'result fits');
  await mobile.screenshot({ path: join(shots, 'found-phone.png'), fullPage: true });
  await mobile.locator('input[value="email"]').check();
  assert.match(await mobile.locator('#value-label').innerText(), /adresse e-mail/);
  await mobile.locator('#value').fill('pas une adresse');
  await mobile.locator('#submit').click();
  await mobile.waitForFunction(() => /une espace, des guillemets/.test(document.querySelector('#error').textContent));
  await mobile.locator('#value').fill('Someone@Example.org');
  await mobile.locator('#submit').click();
  await mobile.locator('#result.absent').waitFor(); // an NIR-only dump: no e-mail is indexed
  await mobile.locator('input[value="phone"]').check();
  await mobile.locator('#value').fill('06 12 34 56');
  await mobile.locator('#submit').click();
  await mobile.waitForFunction(() => /10 chiffres/.test(document.querySelector('#error').textContent));
  await phone.close();
});

if (secretKey) {
  await check('too many evaluations from one address: "try again in N seconds" (Retry-After)', async () => {
    let text = '';
    for (let i = 0; i < 60 && !/Réessayez dans/.test(text); i += 1) {
      await submitNir(present);
      await page.waitForFunction(() => !document.querySelector('#submit').disabled
        && !/en cours/.test(document.querySelector('#result').textContent));
      text = await result.innerText();
    }
    assert.match(text, /Trop de vérifications depuis votre connexion en peu de temps\. Réessayez dans \d+ secondes/);
    assert.ok(Number(text.match(/dans (\d+) secondes/)[1]) >= 1);
    assert.ok(requests.some((r) => r.url.endsWith('/v1/oprf/nir/evaluate?verifiable=1')));
    await axe('rate limited');
    await page.screenshot({ path: join(shots, 'rate-limited-fr.png'), fullPage: true });
  });
}

await browser.close();
const scheme = secretKey ? 'oprf-p256' : 'sha256';
for (const { label, total, tag: tagMs, fetch: fetchMs, match, clickToResult } of timings) {
  console.log(`timing (${scheme}, Chromium, loopback): one check on ${label}: ${total.toFixed(1)} ms = ` +
    `${secretKey ? 'blind + evaluation + proof check + finalize' : 'SHA-256'} ${tagMs.toFixed(1)} ms + shard fetch ` +
    `${fetchMs.toFixed(1)} ms + decode and match ${match.toFixed(1)} ms; click to result shown ` +
    `${clickToResult.toFixed(0)} ms${fromSource ? ' (requests through Playwright routes: VIGIE_WEB_FROM_SOURCE)' : ''}`);
}
if (failures > 0) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('all browser checks passed');
