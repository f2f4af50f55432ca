// The layers `npm run typecheck` enforces: src/core imports neither `vscode` nor the VS Code
// layer and has no DOM; the webview (and what it reaches) imports neither `vscode` nor Node and
// has no Node globals. Each crossing, planted in a copy, must fail the check.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = process.cwd();

/** Runs scripts/check-layers.mjs over a tree made of `files`; returns its exit status and output. */
function checkImports(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'creatok-layers-'));
  try {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'check-layers.mjs'), '--root', dir], { encoding: 'utf8', cwd: root });
    return { status: result.status, output: result.stdout + result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Type-checks `source` with a layer's compiler options; returns tsc's output ('' when it passes). */
function checkGlobals(layer: 'tsconfig.core.json' | 'tsconfig.webview.json', source: string): string {
  const dir = mkdtempSync(join(root, 'out', 'layer-probe-'));
  try {
    writeFileSync(join(dir, 'probe.ts'), source);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: join(root, layer), include: [], files: ['probe.ts'] }));
    const result = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json'), '--noEmit'], { encoding: 'utf8' });
    return result.status === 0 ? '' : result.stdout + result.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('layers', function () {
  this.timeout(60_000);
  it('the real tree crosses no layer', () => {
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'check-layers.mjs')], { encoding: 'utf8', cwd: root });
    assert.equal(result.status, 0, result.stderr);
  });
  it('fails when src/core imports vscode or the VS Code layer', () => {
    const vscode = checkImports({ 'src/core/a.ts': "import * as vscode from 'vscode';\nexport const v = vscode.version;\n" });
    assert.equal(vscode.status, 1);
    assert.match(vscode.output, /src\/core\/a\.ts: src\/core must not import 'vscode'/);
    const upward = checkImports({ 'src/core/a.ts': "import { x } from '../vscode/b';\nexport const y = x;\n", 'src/vscode/b.ts': 'export const x = 1;\n' });
    assert.equal(upward.status, 1);
    assert.match(upward.output, /outside src\/core/);
    assert.equal(checkImports({ 'src/core/a.ts': "import { promises } from 'node:fs';\nexport const r = promises;\n" }).status, 0, 'Node is fine in the core');
  });
  it('fails when the webview imports node:fs, directly or through a core module, or vscode', () => {
    const direct = checkImports({ 'src/webview/main.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n" });
    assert.equal(direct.status, 1);
    assert.match(direct.output, /the webview must not import the Node built-in 'node:fs'/);
    const through = checkImports({ 'src/webview/main.ts': "import { r } from '../core/files';\nexport const x = r;\n", 'src/core/files.ts': "import { readFileSync } from 'fs';\nexport const r = readFileSync;\n" });
    assert.equal(through.status, 1);
    assert.match(through.output, /src\/webview\/main\.ts → src\/core\/files\.ts: the webview must not import the Node built-in 'fs'/);
    assert.equal(checkImports({ 'src/webview/main.ts': "import * as vscode from 'vscode';\nexport const v = vscode;\n" }).status, 1);
  });
  it('the core has no DOM and the webview no Node globals', () => {
    assert.match(checkGlobals('tsconfig.core.json', 'export const title = document.title;\n'), /probe\.ts.*error TS2584|probe\.ts.*error TS2304/);
    assert.match(checkGlobals('tsconfig.webview.json', 'export const pid = process.pid;\n'), /probe\.ts.*error TS2591|probe\.ts.*error TS2580/);
    assert.equal(checkGlobals('tsconfig.webview.json', 'export const title = document.title;\n'), '');
  });
});
