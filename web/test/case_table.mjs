// Reader for the shared case tables (tests/cases/*.tsv, tests/vectors/*.tsv): the same format and escape
// rules as tests/case_table.h, decoded to raw bytes so that escapes such as \xa0 (a lone Latin-1 byte) reach
// the normalisers exactly as they reach the C++ ones.
import { readFileSync } from 'node:fs';

function hexValue(ch) {
  return /^[0-9a-fA-F]$/.test(ch) ? parseInt(ch, 16) : -1;
}

// Decodes \t \n \r \\ \xHH (one byte) \uHHHH (a code point as UTF-8); throws on any other escape.
export function decodeCaseEscapes(field) {
  const out = [];
  const text = Buffer.from(field, 'utf8');
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] !== 0x5c) {
      out.push(text[i]);
      continue;
    }
    i += 1;
    if (i === text.length) throw new Error('dangling backslash');
    const e = String.fromCharCode(text[i]);
    if (e === 't') out.push(0x09);
    else if (e === 'n') out.push(0x0a);
    else if (e === 'r') out.push(0x0d);
    else if (e === '\\') out.push(0x5c);
    else if (e === 'x' || e === 'u') {
      const digits = e === 'x' ? 2 : 4;
      if (i + digits >= text.length) throw new Error('short escape');
      let value = 0;
      for (let k = 1; k <= digits; k += 1) {
        const h = hexValue(String.fromCharCode(text[i + k]));
        if (h < 0) throw new Error('bad hex digit in escape');
        value = value * 16 + h;
      }
      if (digits === 2) out.push(value);
      else out.push(...Buffer.from(String.fromCodePoint(value), 'utf8'));
      i += digits;
    } else {
      throw new Error(`unknown escape \\${e}`);
    }
  }
  return new Uint8Array(out);
}

// { header: [...], rows: [{ line, input (Uint8Array), fields: [...] }] }
export function readCaseTable(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  let header = null;
  const rows = [];
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split('\t');
    if (!header) {
      header = fields;
      return;
    }
    let input;
    try {
      input = decodeCaseEscapes(fields[0]);
    } catch (e) {
      throw new Error(`${path}:${index + 1}: ${e.message}`);
    }
    rows.push({ line: index + 1, input, fields: fields.slice(1) });
  });
  if (!header || header[0] !== 'input') throw new Error(`${path}: missing header`);
  return { header, rows };
}
