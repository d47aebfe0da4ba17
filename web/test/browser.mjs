// The citizen page in a real browser: Debian's headless Chromium driven by playwright-core, against a running
// vigie-serve (tests/e2e/web_page.sh starts it on a generated index). Checks that a present NIR shows its
// breach, an absent one says so, input errors are explained, nothing but the prefix reaches the server (every
// request the page makes is recorded), the page passes axe-core's WCAG 2.1 AA rules in every state, keyboard
// use works, and a phone-sized screen has no horizontal scrolling. Saves screenshots of the states.
// With OPRF_KEY_FILE the index is oprf-p256 under that key: the page must fetch the server's public key,
// blind, have the server evaluate verifiably, check the proof, finalize, then fetch the prefix; the requests
// then hold only the blinded point (the POST body, fresh for every check) and the prefix. Answers altered on
// the way (Playwright routes: a proof byte flipped, no proof, a per-client key's proof, a malformed key) give
// the "check refused" error, never a result, and no prefix is sent. Too many evaluations give the "try again
// in N seconds" message (the server runs with a small --oprf-burst, checked last).
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

import { p256, p256_hasher, p256_oprf } from '../src/vendor-noble-curves-nist.js';

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

async function servePageFromSource(ctx) {
  if (!fromSource) return;
  await ctx.route((url) => url.origin === origin && pageFile(url.href) !== null, async (route) => {
    const response = await route.fetch();
    const path = join(src, pageFile(route.request().url()));
    await (existsSync(path) ? fulfill(route, response, readFileSync(path)) : route.fulfill({ response }));
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

const result = page.locator('#result');
const error = page.locator('#error');
async function submitNir(text, { keyboard = false } = {}) {
  await page.locator('#value').fill('');
  // Typed key by key, as a person would: nothing may leave the page before the submit.
  const before = requests.length;
  await page.locator('#value').pressSequentially(text);
  assert.equal(requests.length, before, 'typing made no request');
  if (keyboard) await page.keyboard.press('Enter');
  else await page.locator('#submit').click();
}

await check('the page loads with its policy, explains what is sent, in French', async () => {
  const response = await page.goto(base);
  assert.equal(response.status(), 200);
  const headers = response.headers();
  assert.match(headers['content-security-policy'], /default-src 'none'; script-src 'self'/);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  await page.waitForFunction(() => document.querySelector('#privacy-sent').textContent.includes('5 premiers'));
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

await check('a present NIR shows its breach, title, date, data classes and advice', async () => {
  await submitNir(spaced(present));
  await page.locator('#result.found').waitFor();
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
  await submitNir(absent, { keyboard: true });
  await page.locator('#result.absent').waitFor();
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
  await submitNir(spaced(present));
  await page.locator('#result.found').waitFor();
  assert.match(await result.innerText(), /appears in 1 known breach/);
  assert.match(await result.innerText(), /1 February 2024/);
  await axe('english');
  await page.screenshot({ path: join(shots, 'found-en.png'), fullPage: true });
  await page.locator('#lang').click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
});

await check(secretKey ? 'nothing but the blinded point and the prefix reaches the server'
  : 'nothing but the prefix reaches the server', async () => {
  const range = requests.filter((r) => r.url.includes('/v1/range/'));
  assert.deepEqual(
    [...new Set(range.map((r) => new URL(r.url).pathname))].sort(),
    [`/v1/range/nir/${tag(present).slice(0, 5)}`, `/v1/range/nir/${tag(absent).slice(0, 5)}`].sort(),
  );
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
    assert.equal(evaluations.length, range.length);
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
    '/static/style.css', '/static/favicon.svg', '/v1/index', '/v1/breaches', '/v1/range/nir/PREFIX']);
  // The curve code is fetched only for an OPRF index.
  if (secretKey) for (const name of [...vendored, 'oprf.js']) allowed.add(`/static/${name}`);
  if (secretKey) for (const path of ['/v1/oprf/nir/evaluate', '/v1/oprf/key']) allowed.add(path);
  for (const r of requests) {
    const path = new URL(r.url).pathname.replace(/^\/v1\/range\/nir\/[0-9a-f]{5}$/, '/v1/range/nir/PREFIX');
    assert.ok(allowed.has(path), `unexpected request ${path}`);
  }
});

if (secretKey) {
  // What the server (or anything between it and the page) may answer instead of a proven evaluation under its
  // published key. Each check's evaluation is served here, not by the server, but for the flipped proof byte:
  // the server's evaluation budget (--oprf-burst) is kept for the checks after this one.
  const evaluateUrl = (url) => url.pathname === '/v1/oprf/nir/evaluate';
  const blindedOf = (request) => request.postDataBuffer().subarray(2);
  const answer = (route, bytes) =>
    route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from(bytes) });
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
  await check('an answer without a valid proof under the published key: "check refused", no result, no prefix',
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
        assert.ok(!sent.some((path) => path.startsWith('/v1/range/')), `${name}: no prefix sent (${sent})`);
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
  await mobile.waitForFunction(() => document.querySelector('#privacy-sent').textContent.includes('5 premiers'));
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
if (failures > 0) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('all browser checks passed');
