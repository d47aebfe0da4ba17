// The vendored curve library (web/src/vendor-*) is exactly the pinned npm packages' files: the versions of
// package.json, package-lock.json and node_modules agree, web/src holds exactly the files
// web/scripts/vendor.mjs copies, each byte-identical to the package file once its import specifiers are
// mapped to the flat names, and that mapping changes nothing but import specifiers. Needs `npm ci` first
// (tests/e2e/web_page.sh runs it, then this file).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  flatName, PACKAGES, packageDir, packageVersion, presentFiles, resolve, vendoredFiles, WEB,
} from '../scripts/vendor.mjs';

const manifest = JSON.parse(readFileSync(join(WEB, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(WEB, 'package-lock.json'), 'utf8'));

test('the packages are pinned to one exact version everywhere', () => {
  for (const pkg of PACKAGES) {
    const pinned = manifest.dependencies?.[pkg];
    assert.match(String(pinned), /^\d+\.\d+\.\d+$/, `${pkg}: an exact version in package.json`);
    const locked = lock.packages[`node_modules/${pkg}`];
    assert.equal(locked?.version, pinned, `${pkg}: package-lock.json`);
    assert.match(String(locked.integrity), /^sha512-/, `${pkg}: integrity in the lock`);
    assert.equal(packageVersion(pkg), pinned, `${pkg}: node_modules (run npm ci)`);
  }
  // @noble/curves depends on exactly the @noble/hashes pinned here, so one copy serves both.
  const curves = JSON.parse(readFileSync(join(packageDir('@noble/curves'), 'package.json'), 'utf8'));
  assert.equal(curves.dependencies['@noble/hashes'], manifest.dependencies['@noble/hashes']);
});

test('web/src holds exactly the vendored files, byte-identical to the packages but for import specifiers', () => {
  const files = vendoredFiles();
  assert.deepEqual(presentFiles(), [...files.keys()].sort(), 'run: node web/scripts/vendor.mjs');
  let rewritten = 0;
  for (const [name, file] of files) {
    const present = readFileSync(join(WEB, 'src', name), 'utf8');
    assert.ok(present === file.text, `${name} differs from ${file.pkg}/${file.path}: run node web/scripts/vendor.mjs`);
    const original = readFileSync(join(packageDir(file.pkg), file.path), 'utf8');
    const a = original.split('\n');
    const b = present.split('\n');
    assert.equal(b.length, a.length, name);
    for (let i = 0; i < a.length; i += 1) {
      if (a[i] === b[i]) continue;
      // The only change allowed: a static import/export's specifier, replaced by the flat name it maps to.
      const m = a[i].match(/^((?:import|export)\b.*?\bfrom\s*)(['"])([^'"]+)\2(.*)$/);
      assert.ok(m, `${name}:${i + 1} changed outside an import`);
      const target = resolve(file, m[3]);
      assert.equal(b[i], `${m[1]}${m[2]}./${flatName(target.pkg, target.path)}${m[2]}${m[4]}`, `${name}:${i + 1}`);
      rewritten += 1;
    }
  }
  assert.ok(rewritten > 0);
  for (const pkg of PACKAGES) {
    const licence = readFileSync(join(WEB, 'src', `vendor-${pkg.slice(1).replace('/', '-')}.LICENSE.txt`), 'utf8');
    assert.match(licence, /MIT License/);
  }
  const nist = readFileSync(join(WEB, 'src', 'vendor-noble-curves-nist.js'), 'utf8');
  assert.match(nist, /MIT License \(c\) 2022 Paul Miller/);
});
