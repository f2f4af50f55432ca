// Lists the strings the code passes to vscode.l10n.t(...), and checks a translation bundle.
//   node scripts/l10n-strings.mjs            prints the missing and stale keys of every bundle
//   node scripts/l10n-strings.mjs --write    also writes l10n/bundle.l10n.json (the English source)
//   node scripts/l10n-strings.mjs --check    exits 1 when a bundle misses a key or holds a stale one
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (full.endsWith('.ts')) out.push(full);
  }
  return out;
}

export function extractStrings(root = '.') {
  const keys = new Set();
  const pattern = /l10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g;
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(pattern)) keys.add(match[1].replace(/\\'/g, "'").replace(/\\\\/g, '\\'));
  }
  return [...keys].sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const keys = extractStrings();
  if (process.argv.includes('--write')) {
    writeFileSync('l10n/bundle.l10n.json', JSON.stringify(Object.fromEntries(keys.map((k) => [k, k])), null, 2) + '\n');
  }
  for (const bundle of readdirSync('l10n').filter((f) => /^bundle\.l10n\..+\.json$/.test(f))) {
    const translated = JSON.parse(readFileSync(join('l10n', bundle), 'utf8'));
    const missing = keys.filter((k) => !(k in translated));
    const stale = Object.keys(translated).filter((k) => !keys.includes(k));
    console.log(`${bundle}: ${keys.length} keys, ${missing.length} missing, ${stale.length} stale`);
    for (const k of missing) console.log(`  missing: ${JSON.stringify(k)}`);
    for (const k of stale) console.log(`  stale: ${JSON.stringify(k)}`);
  }
  let bad = 0;
  const english = JSON.parse(readFileSync('l10n/bundle.l10n.json', 'utf8'));
  if (Object.keys(english).sort().join('\n') !== keys.join('\n')) {
    console.log('l10n/bundle.l10n.json is out of date: run node scripts/l10n-strings.mjs --write');
    bad++;
  }
  for (const bundle of readdirSync('l10n').filter((f) => /^bundle\.l10n\..+\.json$/.test(f))) {
    const translated = JSON.parse(readFileSync(join('l10n', bundle), 'utf8'));
    bad += keys.filter((k) => !(k in translated)).length + Object.keys(translated).filter((k) => !keys.includes(k)).length;
  }
  if (process.argv.includes('--check') && bad > 0) process.exit(1);
}
