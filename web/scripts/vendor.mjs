// Copies the curve library the page uses (the pinned @noble/curves and @noble/hashes of package-lock.json)
// from node_modules into web/src, so vigie-serve embeds and serves it as the page's own files.
//
// Why the files are renamed and their import specifiers rewritten, and nothing else:
// - the page has no bundler, and a browser cannot resolve the packages' bare specifiers
//   ('@noble/hashes/sha2.js') without an import map, which the page's CSP (script-src 'self', no inline
//   script) forbids;
// - vigie-serve serves web/src files as /static/{name}, one path segment, so the packages' folders are
//   flattened: @noble/curves/abstract/oprf.js becomes web/src/vendor-noble-curves-abstract-oprf.js.
// Each file's bytes are otherwise the package's, licence header included; web/test/vendor.test.mjs checks
// that (and that undoing the rename gives the package file back byte for byte), so nobody edits them by hand.
// Only the modules reachable from ENTRY are copied, with each package's LICENSE (served as .LICENSE.txt).
//
// Usage (from web/): npm ci && node scripts/vendor.mjs     (rewrites web/src/vendor-*)
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGES = ['@noble/curves', '@noble/hashes'];
export const ENTRY = { pkg: '@noble/curves', path: 'nist.js' };
export const PREFIX = 'vendor-';

// "vendor-noble-curves-abstract-oprf.js" for @noble/curves, abstract/oprf.js.
export function flatName(pkg, path) {
  return `${PREFIX}${pkg.replace(/^@/, '').replace('/', '-')}-${path.replace(/\//g, '-')}`;
}

// Static import/export statements of a module (one line each in these packages). Lines inside comments
// start with " *", so documentation examples are not matched.
const STATEMENT = /^((?:import|export)\b[^\n]*?\bfrom\s*)(['"])([^'"\n]+)\2/gm;

// The package file a specifier of `from` (a package file) names.
export function resolve(from, specifier) {
  for (const pkg of PACKAGES) {
    if (specifier.startsWith(`${pkg}/`)) return { pkg, path: specifier.slice(pkg.length + 1) };
  }
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    const path = posix.normalize(posix.join(posix.dirname(from.path), specifier));
    if (path.startsWith('..')) throw new Error(`vendor: ${specifier} leaves ${from.pkg}`);
    return { pkg: from.pkg, path };
  }
  throw new Error(`vendor: cannot resolve ${specifier} from ${from.pkg}/${from.path}`);
}

// The vendored text of a package file and the package files it imports.
export function transform(file, text) {
  const imports = [];
  const out = text.replace(STATEMENT, (match, head, quote, specifier) => {
    const target = resolve(file, specifier);
    imports.push(target);
    return `${head}${quote}./${flatName(target.pkg, target.path)}${quote}`;
  });
  return { text: out, imports };
}

export function packageDir(pkg) {
  return join(WEB, 'node_modules', ...pkg.split('/'));
}

export function packageVersion(pkg) {
  return JSON.parse(readFileSync(join(packageDir(pkg), 'package.json'), 'utf8')).version;
}

// Every vendored file: name in web/src -> { pkg, path, text }, from node_modules.
export function vendoredFiles() {
  const files = new Map();
  const queue = [ENTRY];
  while (queue.length > 0) {
    const file = queue.shift();
    const name = flatName(file.pkg, file.path);
    if (files.has(name)) continue;
    const source = readFileSync(join(packageDir(file.pkg), file.path), 'utf8');
    const { text, imports } = transform(file, source);
    files.set(name, { ...file, text });
    queue.push(...imports);
  }
  for (const pkg of PACKAGES) {
    const name = `${PREFIX}${pkg.replace(/^@/, '').replace('/', '-')}.LICENSE.txt`;
    files.set(name, { pkg, path: 'LICENSE', text: readFileSync(join(packageDir(pkg), 'LICENSE'), 'utf8') });
  }
  return files;
}

// The vendor-* files now in web/src.
export function presentFiles() {
  return readdirSync(join(WEB, 'src')).filter((name) => name.startsWith(PREFIX)).sort();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = vendoredFiles();
  for (const name of presentFiles()) rmSync(join(WEB, 'src', name));
  for (const [name, { text }] of files) writeFileSync(join(WEB, 'src', name), text);
  const versions = PACKAGES.map((pkg) => `${pkg}@${packageVersion(pkg)}`).join(', ');
  console.log(`vendored ${files.size} files of ${versions} into web/src`);
}
