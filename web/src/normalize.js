// Identifier normalisation for the browser: a byte-for-byte port of core/nir.cc, core/email.cc and
// core/phone.cc (rules and reason slugs documented in core/nir.h, core/email.h, core/phone.h). The indexer
// and this page must produce the same canonical bytes or a look-up silently misses, so web/test runs this
// file against the same tables as the C++ tests (tests/cases/*.tsv).
//
// Works on UTF-8 bytes, as the C++ does: a string is encoded with TextEncoder first, and a Uint8Array is
// taken as is (the tests feed the tables' raw bytes, e.g. a lone Latin-1 A0). Pure functions, no DOM, no
// I/O. Messages are the C++ ones (English) and never quote the input; the page shows its own translated
// text chosen by `reason`.

const encoder = new TextEncoder();

function toBytes(input) {
  if (input instanceof Uint8Array) return input;
  return encoder.encode(String(input));
}

function ascii(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function ok(canonical) {
  return { ok: true, canonical };
}

function fail(reason, message) {
  return { ok: false, reason, message };
}

const isDigit = (c) => c >= 0x30 && c <= 0x39;
const isUpper = (c) => c >= 0x41 && c <= 0x5a;
const isLower = (c) => c >= 0x61 && c <= 0x7a;
const toLower = (c) => (isUpper(c) ? c + 0x20 : c);
const toUpper = (c) => (isLower(c) ? c - 0x20 : c);

// ---- blanks (core/blank.h) ----------------------------------------------------------------------------

const isAsciiSpace = (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

// Bytes taken by a no-break space starting at s[i]: U+00A0 as C2 A0 or a lone A0, U+202F as E2 80 AF.
function nbspAt(s, i) {
  if (s[i] === 0xa0) return 1;
  if (s[i] === 0xc2 && i + 1 < s.length && s[i + 1] === 0xa0) return 2;
  if (s[i] === 0xe2 && i + 2 < s.length && s[i + 1] === 0x80 && s[i + 2] === 0xaf) return 3;
  return 0;
}

function nbspBefore(s, end) {
  if (end >= 3 && s[end - 3] === 0xe2 && s[end - 2] === 0x80 && s[end - 1] === 0xaf) return 3;
  if (end >= 2 && s[end - 2] === 0xc2 && s[end - 1] === 0xa0) return 2;
  if (end >= 1 && s[end - 1] === 0xa0) return 1;
  return 0;
}

function trim(s) {
  let begin = 0;
  while (begin < s.length) {
    if (isAsciiSpace(s[begin])) {
      begin += 1;
    } else {
      const n = nbspAt(s, begin);
      if (n === 0) break;
      begin += n;
    }
  }
  let end = s.length;
  while (end > begin) {
    if (isAsciiSpace(s[end - 1])) {
      end -= 1;
    } else {
      const n = nbspBefore(s, end);
      if (n > 0 && end - n >= begin) end -= n;
      else break;
    }
  }
  return s.subarray(begin, end);
}

// ---- NIR (core/nir.h) ---------------------------------------------------------------------------------

export const NIR_LENGTH = 15;

const isNirSeparator = (c) => c === 0x20 || c === 0x09 || c === 0x2e || c === 0x2d || c === 0x2f;

// The key (1..97) of 13 canonical characters (digits, or upper-case 2A/2B at positions 6-7), or -1.
// N mod 97 is folded digit by digit, so no number ever exceeds 97 * 10 + 19 (exact in any JS number).
// At position 7 the département digit '2' is already folded in: 2A counts as 19 and 2B as 18, i.e.
// the running value becomes (n - 2) * 10 + 19 or 18, as in core/nir.cc.
export function computeNirKey(first13) {
  const s = typeof first13 === 'string' ? first13 : ascii(first13);
  if (s.length !== 13) return -1;
  let n = 0;
  for (let i = 0; i < 13; i += 1) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      n = (n * 10 + (c - 0x30)) % 97;
    } else if (i === 6 && s[5] === '2' && (s[6] === 'A' || s[6] === 'B')) {
      n = (((n - 2 + 97) % 97) * 10 + (s[6] === 'A' ? 19 : 18)) % 97;
    } else {
      return -1;
    }
  }
  return 97 - n;
}

export function normalizeNir(input) {
  const s = toBytes(input);
  // One byte more than a NIR so that "too long" is known without keeping more.
  const buf = new Uint8Array(NIR_LENGTH + 1);
  let len = 0;
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (isNirSeparator(c)) {
      i += 1;
      continue;
    }
    const nb = nbspAt(s, i);
    if (nb > 0) {
      i += nb;
      continue;
    }
    if (isDigit(c)) {
      if (len < buf.length) buf[len] = c;
      len += 1;
    } else if (isUpper(c) || isLower(c)) {
      const u = toUpper(c);
      if (len === 6 && buf[5] === 0x32 && (u === 0x41 || u === 0x42)) {
        buf[len] = u;
        len += 1;
      } else if (len === 5 || len === 6) {
        return fail('nir.corsica', 'positions 6-7 (the département) may hold a letter only as 2A or 2B (Corsica)');
      } else {
        return fail('nir.characters', 'a NIR has letters only in the Corsica département 2A/2B (positions 6-7)');
      }
    } else {
      return fail(
        'nir.characters',
        "a NIR holds only digits (2A/2B for Corsica) and the separators space, tab, '.', '-', '/' and " +
          'no-break spaces',
      );
    }
    i += 1;
  }
  if (len === 0) return fail('empty', 'no NIR given');
  if (len !== 13 && len !== NIR_LENGTH) {
    return fail('nir.length', 'a NIR has 15 characters (or 13 without its key)');
  }
  const first13 = ascii(buf.subarray(0, 13));
  const key = computeNirKey(first13);
  if (len === 13) return ok(first13 + String(key).padStart(2, '0'));
  const given = (buf[13] - 0x30) * 10 + (buf[14] - 0x30);
  if (given === 0 || given > 97) {
    return fail('nir.key-range', 'the key (last two digits) must be between 01 and 97');
  }
  if (given !== key) return fail('nir.key', 'the key (last two digits) does not match the first 13 digits');
  return ok(ascii(buf.subarray(0, NIR_LENGTH)));
}

// Characters of a NIR the user typed (digits and letters, separators left out): the page says "you typed
// 12" when the length is wrong. Counts UTF-16 units of a string, which for digits and letters is exact.
export function nirSignificantLength(input) {
  let n = 0;
  for (const ch of String(input)) if (/[0-9A-Za-z]/.test(ch)) n += 1;
  return n;
}

// ---- e-mail (core/email.h) ----------------------------------------------------------------------------

export const MAX_EMAIL_LENGTH = 254;
export const MAX_EMAIL_LOCAL_LENGTH = 64;

const ATEXT_SPECIALS = new Set(Array.from("!#$%&'*+-/=?^_`{|}~", (ch) => ch.charCodeAt(0)));
const isLowerAlnum = (c) => isLower(c) || isDigit(c);
const isAtext = (c) => isLowerAlnum(c) || ATEXT_SPECIALS.has(c);

function checkLocal(local) {
  const bad = (what) => fail('email.local', what);
  if (local.length === 0) return bad("nothing before the '@'");
  if (local[0] === 0x2e || local[local.length - 1] === 0x2e) {
    return bad("the part before the '@' starts or ends with a dot");
  }
  for (let i = 0; i < local.length; i += 1) {
    if (local[i] === 0x2e) {
      if (local[i + 1] === 0x2e) return bad("two dots in a row before the '@'");
    } else if (!isAtext(local[i])) {
      return bad("a character not allowed before the '@'");
    }
  }
  return null;
}

function checkDomain(domain) {
  const bad = (what) => fail('email.domain', what);
  if (domain.length === 0) return bad("nothing after the '@'");
  let labels = 0;
  let start = 0;
  for (;;) {
    const dot = domain.indexOf(0x2e, start);
    const label = domain.subarray(start, dot < 0 ? domain.length : dot);
    if (label.length === 0) return bad('the domain has an empty label (a leading, trailing or doubled dot)');
    if (label.length > 63) return bad('a domain label is longer than 63 characters');
    if (label[0] === 0x2d || label[label.length - 1] === 0x2d) return bad("a domain label starts or ends with '-'");
    let allDigits = true;
    for (const c of label) {
      if (!isLowerAlnum(c) && c !== 0x2d) {
        return bad("the domain holds a character other than letters, digits, '-' and dots");
      }
      allDigits = allDigits && isDigit(c);
    }
    labels += 1;
    if (dot < 0) {
      if (labels < 2) return bad('the domain has no dot');
      if (allDigits) return bad('the top-level domain is all digits (IP addresses are not accepted)');
      return null;
    }
    start = dot + 1;
  }
}

export function normalizeEmail(input) {
  const s = trim(toBytes(input));
  if (s.length === 0) return fail('empty', 'no e-mail address given');
  let at = -1;
  let ats = 0;
  for (let i = 0; i < s.length; i += 1) {
    const c = s[i];
    if (c >= 0x80) {
      return fail(
        'email.non-ascii',
        'the address holds non-ASCII characters (write internationalised domains in punycode)',
      );
    }
    if (c === 0x40) {
      at = i;
      ats += 1;
    } else if (c !== 0x2e && !isAtext(toLower(c))) {
      return fail('email.characters', 'the address holds a space, control character, quote or bracket');
    }
  }
  if (ats !== 1) return fail('email.at', "an address has exactly one '@'");
  if (s.length > MAX_EMAIL_LENGTH) return fail('email.length', 'the address is longer than 254 characters');
  if (at > MAX_EMAIL_LOCAL_LENGTH) {
    return fail('email.length', "the part before the '@' is longer than 64 characters");
  }
  const lower = s.map(toLower);
  const problem = checkLocal(lower.subarray(0, at)) || checkDomain(lower.subarray(at + 1));
  return problem || ok(ascii(lower));
}

// ---- phone (core/phone.h) -----------------------------------------------------------------------------

const MAX_PHONE_DIGITS = 15; // E.164
const FRENCH_PLAN = new Set(['33', '262', '590', '594', '596']);
// 9-digit French numbers that belong to an overseas country code, by their first three digits.
const OVERSEAS = new Map([
  ['262', '262'], ['263', '262'], ['269', '262'], ['639', '262'], ['692', '262'], ['693', '262'],
  ['590', '590'], ['690', '590'], ['691', '590'],
  ['594', '594'], ['694', '594'],
  ['596', '596'], ['696', '596'], ['697', '596'],
]);

const isPhoneSeparator = (c) =>
  c === 0x20 || c === 0x09 || c === 0x2e || c === 0x2d || c === 0x2f || c === 0x28 || c === 0x29;
const wrongDigits = (what) => fail('phone.digits', what);

function frenchPlan(cc, rest) {
  if (rest.length === 10 && rest[0] === '0') rest = rest.slice(1); // "+33 06 …": the trunk 0 kept by mistake
  if (rest.length !== 9 || rest[0] === '0') {
    return wrongDigits('a French number has 9 digits after the country code (10 with the leading 0)');
  }
  if (cc === '33') cc = OVERSEAS.get(rest.slice(0, 3)) || '33';
  return ok(`+${cc}${rest}`);
}

function international(digits) {
  if (digits.length === 0) return wrongDigits('no digits after the international prefix');
  if (digits[0] === '0') return fail('phone.country', 'a country code never starts with 0');
  for (let n = 2; n <= 3 && n < digits.length; n += 1) {
    const cc = digits.slice(0, n);
    if (FRENCH_PLAN.has(cc)) return frenchPlan(cc, digits.slice(n));
  }
  if (digits.length < 7 || digits.length > MAX_PHONE_DIGITS) {
    return wrongDigits('an international number has 7 to 15 digits, country code included');
  }
  return ok(`+${digits}`);
}

export function normalizePhone(input) {
  const s = trim(toBytes(input));
  // Room for a few digits past E.164 so that "too long" needs no counting beyond.
  const maxKept = MAX_PHONE_DIGITS + 4;
  let digits = '';
  let plus = false;
  let trunkAt = -1; // where a "(0)" trunk prefix was skipped
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (isDigit(c)) {
      if (digits.length === maxKept) return wrongDigits('a phone number has at most 15 digits');
      digits += String.fromCharCode(c);
      i += 1;
    } else if (c === 0x28 && digits.length > 0 && trunkAt < 0 && s[i + 1] === 0x30 && s[i + 2] === 0x29) {
      trunkAt = digits.length;
      i += 3;
    } else if (isPhoneSeparator(c)) {
      i += 1;
    } else if (nbspAt(s, i) > 0) {
      i += nbspAt(s, i);
    } else if (c === 0x2b && !plus && digits.length === 0) {
      plus = true;
      i += 1;
    } else {
      return fail(
        'phone.characters',
        "a phone number holds only digits, one leading '+' and the separators space . - / ( ) and no-break " +
          'spaces',
      );
    }
  }
  if (digits.length === 0 && !plus) return fail('empty', 'no phone number given');
  if (plus) return international(digits);
  if (digits.startsWith('00')) return international(digits.slice(2));
  if (digits.startsWith('33')) return international(digits);
  if (trunkAt >= 0) return fail('phone.prefix', '"(0)" belongs after a country code given with + or 00');
  if (digits[0] === '0') {
    if (digits.length !== 10) return wrongDigits('a French number has 10 digits, starting with 0');
    return frenchPlan('33', digits.slice(1));
  }
  return fail('phone.prefix', 'a number without + or 00 must be French, starting with 0 (or 33)');
}

// ---- entry point --------------------------------------------------------------------------------------

export const KINDS = Object.freeze(['nir', 'email', 'phone']);

const NORMALIZERS = { nir: normalizeNir, email: normalizeEmail, phone: normalizePhone };

// { ok: true, canonical } or { ok: false, reason, message } for kind "nir", "email" or "phone".
export function normalize(kind, input) {
  const fn = NORMALIZERS[kind];
  if (!fn) return fail('kind.unknown', 'unknown kind');
  return fn(input);
}
