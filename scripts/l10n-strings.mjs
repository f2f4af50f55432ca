// The strings the code passes to vscode.l10n.t(...), extracted by @vscode/l10n-dev (VS Code's
// own tool, parsing the TypeScript), and the check of every translation bundle against them.
//   node scripts/l10n-strings.mjs            prints the missing and stale keys of every bundle
//   node scripts/l10n-strings.mjs --write    also writes l10n/bundle.l10n.json (the English source)
//   node scripts/l10n-strings.mjs --check    exits 1 when a bundle misses a key or holds a stale one
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getL10nJson } from '@vscode/l10n-dev';

export function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (full.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** The English bundle the sources call for: { "message": "message" } (or with a comment). */
export async function extractBundle(root = '.') {
  const files = sourceFiles(join(root, 'src')).map((file) => ({ extension: '.ts', contents: readFileSync(file, 'utf8') }));
  return getL10nJson(files);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const extracted = await extractBundle();
  const keys = Object.keys(extracted).sort();
  if (process.argv.includes('--write')) {
    writeFileSync('l10n/bundle.l10n.json', JSON.stringify(Object.fromEntries(keys.map((k) => [k, extracted[k]])), null, 2) + '\n');
  }
  let bad = 0;
  const english = JSON.parse(readFileSync('l10n/bundle.l10n.json', 'utf8'));
  if (Object.keys(english).sort().join('\n') !== keys.join('\n')) {
    console.log('l10n/bundle.l10n.json is out of date: run node scripts/l10n-strings.mjs --write');
    bad++;
  }
  for (const bundle of readdirSync('l10n').filter((f) => /^bundle\.l10n\..+\.json$/.test(f))) {
    const translated = JSON.parse(readFileSync(join('l10n', bundle), 'utf8'));
    const missing = keys.filter((k) => !(k in translated));
    const stale = Object.keys(translated).filter((k) => !keys.includes(k));
    console.log(`${bundle}: ${keys.length} keys, ${missing.length} missing, ${stale.length} stale`);
    for (const k of missing) console.log(`  missing: ${JSON.stringify(k)}`);
    for (const k of stale) console.log(`  stale: ${JSON.stringify(k)}`);
    bad += missing.length + stale.length;
  }
  if (process.argv.includes('--check') && bad > 0) process.exit(1);
}
