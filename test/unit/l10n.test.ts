// Every user-facing string is localized: the l10n bundles and package.nls files are complete.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const placeholders = (text: string): string[] => (text.match(/\{\d+\}/g) ?? []).sort();

describe('localization', () => {
  it('has every vscode.l10n.t string in the English and zh-cn bundles, and no stale ones', () => {
    const output = execFileSync(process.execPath, ['scripts/l10n-strings.mjs', '--check'], { encoding: 'utf8' });
    assert.match(output, /bundle\.l10n\.zh-cn\.json: \d+ keys, 0 missing, 0 stale/);
  });

  it('keeps the placeholders of each string in its zh-cn translation', () => {
    const english = readJson('l10n/bundle.l10n.json');
    const chinese = readJson('l10n/bundle.l10n.zh-cn.json');
    for (const key of Object.keys(english)) {
      assert.deepEqual(placeholders(String(chinese[key])), placeholders(key), key);
      assert.notEqual(String(chinese[key]).trim(), '', key);
    }
  });

  it('has a package.nls entry for every %key% of package.json, in English and zh-cn', () => {
    const manifest = readFileSync('package.json', 'utf8');
    const keys = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!);
    assert.ok(keys.length >= 8);
    const nls = readJson('package.nls.json');
    const nlsZh = readJson('package.nls.zh-cn.json');
    for (const key of keys) {
      assert.ok(key in nls, `package.nls.json: ${key}`);
      assert.ok(key in nlsZh, `package.nls.zh-cn.json: ${key}`);
    }
    assert.deepEqual(Object.keys(nlsZh).sort(), Object.keys(nls).sort());
  });
});
