// The package a user installs, checked: `vsce package` prints no warning, the packaged README
// and CHANGELOG are the repository's byte for byte (every example as written), every file of the
// split bundle, the webview bundles and the stylesheets are in it, and what the extension loads
// at start-up stays under its goal (printed beside what loads on first use). Run by npm test;
// exits 1 on a failure.
//   node scripts/check-package.mjs [VSIX]   (default out/creatok-image.vsix)
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { bundleSizes, bundleSizesText } from './bundle-sizes.mjs';

const vsix = process.argv[2] ?? 'out/creatok-image.vsix';
const BUNDLE_GOAL_KB = 200;
const problems = [];

const run = spawnSync('npx', ['vsce', 'package', '--no-dependencies', '--no-rewrite-relative-links', '-o', vsix], { encoding: 'utf8' });
const printed = `${run.stdout}\n${run.stderr}`;
if (run.status !== 0) problems.push(`vsce package failed (${run.status}):\n${printed}`);
const warnings = printed.split('\n').filter((line) => /\bWARNING\b/i.test(line));
if (warnings.length > 0) problems.push(`vsce printed ${warnings.length} warning(s):\n${warnings.join('\n')}`);

/** The files of a zip (stored or deflated), read from its central directory. */
function unzip(file) {
  const zip = readFileSync(file);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error(`${file} is not a zip`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff) throw new Error(`${file} is a zip64 archive, which this reader does not read`);
  const files = new Map();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: entry ${i} of the central directory is damaged`);
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    if (method !== 0 && method !== 8) throw new Error(`${file}: entry ${i} uses compression method ${method}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`${file}: the local header of ${name} is damaged`);
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataAt, dataAt + size);
    files.set(name, method === 0 ? data : inflateRawSync(data));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

if (run.status === 0) {
  const files = unzip(vsix);
  for (const [packaged, source] of [['extension/readme.md', 'README.md'], ['extension/changelog.md', 'CHANGELOG.md']]) {
    const inside = files.get(packaged);
    if (!inside) problems.push(`${packaged} is not in ${vsix}`);
    else if (!inside.equals(readFileSync(source))) problems.push(`${packaged} differs from the repository's ${source} (vsce rewrote it)`);
  }
  const packagedManifest = files.get('extension/package.json');
  if (!packagedManifest) problems.push(`extension/package.json is not in ${vsix}`);
  // Every file of the split bundle (a chunk left out would fail only when first imported).
  const sizes = bundleSizes(JSON.parse(readFileSync('dist/metafile.json', 'utf8')));
  for (const needed of [...sizes.files.map((f) => `extension/${f}`), 'extension/dist/webview.js', 'extension/dist/gallery.js', 'extension/media/base.css', 'extension/media/panel.css', 'extension/media/gallery.css']) {
    if (!files.has(needed)) problems.push(`${needed} is not in ${vsix}`);
  }
  const manifest = packagedManifest ? JSON.parse(packagedManifest.toString('utf8')) : {};
  const bundle = sizes.startup.bytes / 1024;
  console.log(`package: ${vsix} (${(statSync(vsix).size / 1024).toFixed(0)} KB, ${files.size} files), version ${manifest.version}, ${warnings.length} warnings`);
  console.log(`${bundleSizesText(sizes)}; the goal for start-up: < ${BUNDLE_GOAL_KB} KB (${bundle < BUNDLE_GOAL_KB ? 'met' : 'NOT met'})`);
  if (bundle >= BUNDLE_GOAL_KB) problems.push(`the extension loads ${bundle.toFixed(1)} KB at start-up, over the goal of ${BUNDLE_GOAL_KB} KB (CONTRIBUTING, Benchmarks: "cost at rest")`);
  console.log(`README and CHANGELOG packaged as written: ${problems.length === 0 ? 'yes' : 'no'}`);
}

if (problems.length > 0) {
  console.error(problems.map((p) => `check-package: ${p}`).join('\n'));
  process.exit(1);
}
