// The citizen page's behaviour: language switch, kind selector, and on submit only (never per keystroke,
// which would stream requests to the server) normalise -> tag -> fetch the one shard of the kind's set that
// the tag's first shard_bits bits name -> decode and match here (the private path, PRODUCT.md §3b: lookup.js
// lookUpSet, set.js). The set's manifest (shard_bits, tag_bits, breach names) is fetched once per kind and
// kept for the page's life, again only when a shard says the index changed since. On an oprf-p256 index
// the tag takes one blinded evaluation first (lookup.js, oprf.js), whose proof must verify against the
// server's published key (GET v1/oprf/key) before anything is shown; the curve code is loaded only for such
// an index. A damaged shard is an error, never a "not found". The range path (GET v1/range) stays in
// lookup.js for other clients; the page does not call it.
// Everything is built with DOM calls and textContent (no innerHTML), so nothing from the server or the
// input is ever parsed as markup. Requests go to the page's own origin only (relative URLs), without
// credentials or referrer.
import { dataClassName, LANGUAGES, privacySent, reasonMessage, t } from './i18n.js';
import { lookUpSet, parseIndexInfo } from './lookup.js';
import { nirSignificantLength, normalize } from './normalize.js';
import { parseSetManifest } from './set.js';

const $ = (id) => document.getElementById(id);
const form = $('check');
const input = $('value');
const submit = $('submit');
const error = $('error');
const result = $('result');
const langButton = $('lang');

const INPUT_MODES = { nir: 'text', email: 'email', phone: 'tel' };

const state = {
  lang: LANGUAGES.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'fr',
  kind: 'nir',
  error: null, // { reason, typed } of the last rejected input
  view: null, // what the result region shows, re-rendered on a language change
  info: null, // Promise of parseIndexInfo(/v1/index)
  breaches: null, // Promise of Map name -> breach record (/v1/breaches)
  oprf: null, // Promise of the oprf.js module, on an oprf-p256 index
  oprfKey: null, // Promise of the server's OPRF public key (33 bytes), on an oprf-p256 index
  manifests: new Map(), // kind -> Promise of parseSetManifest(v1/set/{kind})
  bypassCache: false, // after a damaged answer: the next check asks past the HTTP cache
  // What the privacy note says is sent; the defaults are index.html's text, until v1/index and the manifest
  // say otherwise.
  privacy: { oprf: false, shardBits: 6 },
};

const SCHEMES = ['sha256', 'oprf-p256'];

class HttpError extends Error {
  constructor(status, retryAfter) {
    super(`HTTP ${status}`);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

// Retry-After in seconds (a delay or an HTTP date), 0 when absent or unreadable.
function retryAfter(response) {
  const value = response.headers.get('Retry-After') || '';
  if (/^\d+$/.test(value.trim())) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? 0 : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

// GET of a path relative to the page. `fresh` revalidates past the HTTP cache (manifests and shards are
// cacheable for an hour: after an index update a cached one may be older than the other).
async function get(path, accept, fresh = false) {
  const response = await fetch(new URL(path, document.baseURI), {
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    headers: { Accept: accept },
    cache: fresh || state.bypassCache ? 'no-cache' : 'default',
  });
  if (!response.ok) throw new HttpError(response.status, retryAfter(response));
  return response;
}

async function fetchJson(path, { fresh = false } = {}) {
  return (await get(path, 'application/json', fresh)).json();
}

async function fetchBytes(path, { fresh = false } = {}) {
  return new Uint8Array(await (await get(path, 'application/octet-stream', fresh)).arrayBuffer());
}

// POST of binary bytes (the OPRF evaluation: a blinded element), resolving to the response's bytes.
async function postBinary(path, body) {
  const response = await fetch(new URL(path, document.baseURI), {
    method: 'POST',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/octet-stream' },
    body,
  });
  if (!response.ok) throw new HttpError(response.status, retryAfter(response));
  return new Uint8Array(await response.arrayBuffer());
}

function loadIndexInfo() {
  state.info ||= fetchJson('v1/index').then(parseIndexInfo);
  state.info.catch(() => { state.info = null; });
  return state.info;
}

// The kind's set manifest, fetched once for the page's life; `fresh` replaces it (lookUpSet asks when a
// shard's generation says the index changed).
function loadManifest(kind, { fresh = false } = {}) {
  if (fresh || !state.manifests.has(kind)) {
    const manifest = fetchJson(`v1/set/${encodeURIComponent(kind)}`, { fresh })
      .then((body) => parseSetManifest(body, kind));
    state.manifests.set(kind, manifest);
    manifest.catch(() => { if (state.manifests.get(kind) === manifest) state.manifests.delete(kind); });
  }
  return state.manifests.get(kind);
}

// A shard or manifest this page must not use (set.js's SetError, lookup.js's set.* checks).
function damaged(e) {
  return !(e instanceof HttpError) && /^set\./.test(String(e?.message));
}

function loadOprf() {
  state.oprf ||= import('./oprf.js');
  state.oprf.catch(() => { state.oprf = null; });
  return state.oprf;
}

// Fetched beside the module (not after it), so that it is there before the first check.
function loadOprfKey() {
  state.oprfKey ||= Promise.all([loadOprf(), fetchJson('v1/oprf/key')])
    .then(([oprf, body]) => oprf.parsePublicKey(body));
  state.oprfKey.catch(() => { state.oprfKey = null; });
  return state.oprfKey;
}

// An answer the page must not use: a malformed key, or an evaluation without a proof or whose proof does not
// verify against that key (oprf.js's errors). Never shown as "not found", which it would otherwise become.
function unverified(e) {
  return !(e instanceof HttpError) && /^oprf\./.test(String(e?.message));
}

function loadBreaches() {
  state.breaches ||= fetchJson('v1/breaches').then((list) => new Map(list.map((b) => [b.Name, b])));
  state.breaches.catch(() => { state.breaches = null; });
  return state.breaches;
}

// ---- rendering -----------------------------------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function formatDate(iso) {
  const date = new Date(`${iso}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(iso)) || Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(state.lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' })
    .format(date);
}

// Canonical form as people read it: the NIR in the groups printed on the card.
function formatCanonical(kind, canonical) {
  if (kind !== 'nir') return canonical;
  const groups = [1, 2, 2, 2, 3, 3, 2];
  const out = [];
  let at = 0;
  for (const n of groups) {
    out.push(canonical.slice(at, at + n));
    at += n;
  }
  return out.join(' ');
}

function renderBreach(name, record) {
  const { lang } = state;
  const item = el('li', {}, el('h3', { textContent: record?.Title || name }));
  if (record?.BreachDate) {
    item.append(el('p', { textContent: t(lang, 'breach.date', { date: formatDate(record.BreachDate) }) }));
  }
  if (Array.isArray(record?.DataClasses) && record.DataClasses.length > 0) {
    const classes = record.DataClasses.map((c) => dataClassName(lang, c)).join(', ');
    item.append(el('p', { textContent: t(lang, 'breach.classes', { classes }) }));
  }
  if (record?.Description) item.append(el('p', { className: 'description', textContent: record.Description }));
  return item;
}

function renderAdvice(keys) {
  return el('div', { className: 'next' }, el('h3', { textContent: t(state.lang, 'next.title') }),
    el('ul', {}, ...keys.map((key) => el('li', { textContent: t(state.lang, key) }))));
}

function renderView() {
  const view = state.view;
  const { lang } = state;
  result.replaceChildren();
  result.className = 'result';
  if (!view) return;
  if (view.type === 'notice') {
    result.classList.add('notice');
    if (view.alert) result.classList.add('alert');
    result.append(el('p', { textContent: t(lang, view.key, view.vars) }));
    return;
  }
  const what = t(lang, `what.${view.kind}`);
  const canonical = formatCanonical(view.kind, view.canonical);
  const checked = el('p', { className: 'checked', textContent: t(lang, 'result.checked', { canonical }) });
  if (view.type === 'found') {
    result.classList.add('found');
    const n = view.breaches.length;
    result.append(
      el('h2', { textContent: t(lang, n === 1 ? 'result.found.one' : 'result.found.many', { what, n }) }),
      checked,
      el('ul', { className: 'breaches' }, ...view.breaches.map((name) => renderBreach(name, view.records.get(name)))),
      renderAdvice([1, 2, 3].map((i) => `next.${view.kind}.${i}`)),
    );
  } else {
    result.classList.add('absent');
    result.append(
      el('h2', { textContent: t(lang, 'result.absent', { what }) }),
      checked,
      el('p', { textContent: t(lang, 'result.absent.caveat', { n: view.known }) }),
      renderAdvice(['next.absent']),
    );
  }
}

function renderError() {
  if (!state.error) {
    error.hidden = true;
    error.textContent = '';
    error.removeAttribute('role');
    input.removeAttribute('aria-invalid');
    return;
  }
  error.textContent = reasonMessage(state.lang, state.kind, state.error.reason, state.error.typed);
  error.setAttribute('role', 'alert');
  error.hidden = false;
  input.setAttribute('aria-invalid', 'true');
}

// The privacy note: what leaves for this index (scheme, shard bits) and, for a NIR, how many share it.
function renderPrivacy() {
  const { lang, privacy } = state;
  $('privacy-sent').textContent = privacySent(lang, { ...privacy, kind: state.kind });
  $('privacy-kept').textContent = t(lang, privacy.oprf ? 'privacy.kept.oprf' : 'privacy.kept');
}

function applyLanguage() {
  const { lang } = state;
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll('[data-i18n]')) {
    node.textContent = t(lang, node.dataset.i18n);
  }
  for (const node of document.querySelectorAll('[data-i18n-label]')) {
    node.setAttribute('aria-label', t(lang, node.dataset.i18nLabel));
  }
  // The button names the other language, in that language.
  langButton.lang = lang === 'fr' ? 'en' : 'fr';
  renderPrivacy();
  applyKind();
  renderError();
  renderView();
}

function applyKind() {
  $('value-label').textContent = t(state.lang, `label.${state.kind}`);
  $('value-label').dataset.i18n = `label.${state.kind}`;
  $('hint').textContent = t(state.lang, `hint.${state.kind}`);
  $('hint').dataset.i18n = `hint.${state.kind}`;
  input.inputMode = INPUT_MODES[state.kind];
}

// ---- behaviour -----------------------------------------------------------------------------------------

function show(view) {
  state.view = view;
  renderView();
}

async function check() {
  state.error = null;
  const kind = state.kind;
  const normalized = normalize(kind, input.value);
  if (!normalized.ok) {
    state.error = { reason: normalized.reason, typed: kind === 'nir' ? nirSignificantLength(input.value) : 0 };
    renderError();
    show(null);
    input.focus();
    return;
  }
  renderError();
  submit.disabled = true;
  show({ type: 'notice', key: 'status.checking' });
  try {
    const info = await loadIndexInfo();
    if (!SCHEMES.includes(info.scheme)) return show({ type: 'notice', key: 'status.scheme' });
    if (!info.kinds.includes(kind)) return show({ type: 'notice', key: 'status.kind' });
    const oprf = info.scheme === 'oprf-p256' ? await loadOprf() : undefined;
    const publicKey = oprf ? await loadOprfKey() : undefined;
    const [answer, records] = await Promise.all([
      lookUpSet(kind, normalized.canonical, info, { manifest: loadManifest, fetchBytes, postBinary, oprf, publicKey }),
      loadBreaches().catch(() => new Map()),
    ]);
    state.bypassCache = false;
    // For the record (DevTools' performance panel, web/test/browser.mjs): tag, shard fetch, decode + match.
    const { start, tag, fetch: fetched, match } = answer.timing;
    performance.measure('vigie.check', { start, duration: tag + fetched + match, detail: { tag, fetch: fetched, match } });
    show({
      type: answer.found ? 'found' : 'absent',
      kind,
      canonical: normalized.canonical,
      breaches: answer.breaches,
      records,
      known: records.size,
    });
  } catch (e) {
    if (e instanceof HttpError && e.status === 429) {
      show({ type: 'notice', key: 'status.busy', vars: { s: e.retryAfter || 1 } });
    } else if (damaged(e)) {
      // Asked again next time, past the HTTP cache, in case the damage was kept there.
      state.manifests.delete(kind);
      state.bypassCache = true;
      show({ type: 'notice', key: e.message === 'set.generation' ? 'status.changed' : 'status.corrupt',
        alert: e.message !== 'set.generation' });
    } else if (unverified(e)) {
      // The key is fetched again next time: after a key change (a new index), the old one fails every proof.
      state.oprfKey = null;
      show({ type: 'notice', key: 'status.unverified', alert: true });
    } else {
      show({ type: 'notice', key: 'status.unavailable' });
    }
  } finally {
    submit.disabled = false;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  check();
});

for (const radio of form.querySelectorAll('input[name="kind"]')) {
  radio.addEventListener('change', () => {
    if (!radio.checked) return;
    state.kind = radio.value;
    state.error = null;
    state.view = null;
    input.value = '';
    renderPrivacy();
    applyKind();
    renderError();
    renderView();
  });
}

langButton.addEventListener('click', () => {
  state.lang = state.lang === 'fr' ? 'en' : 'fr';
  history.replaceState(null, '', state.lang === 'fr' ? location.pathname : '#en');
  applyLanguage();
});

// The index's scheme and the set's shard bits, for the privacy note (the requests carry nothing personal);
// the manifest of the selected kind and, on an OPRF index, the curve code are fetched ahead of the first
// check, so that a check is the evaluation and one shard.
loadIndexInfo()
  .then((info) => {
    const oprf = info.scheme === 'oprf-p256';
    state.privacy = { ...state.privacy, oprf };
    if (oprf) loadOprfKey().catch(() => {});
    renderPrivacy();
    const kind = info.kinds.includes(state.kind) ? state.kind : info.kinds[0];
    return kind ? loadManifest(kind) : null;
  })
  .then((manifest) => {
    if (!manifest) return;
    state.privacy = { ...state.privacy, shardBits: manifest.shardBits };
    renderPrivacy();
  })
  .catch(() => {});
state.kind = form.querySelector('input[name="kind"]:checked')?.value || 'nir';
applyLanguage();
