// Benchmark 4, cost at rest: the production bundle's size (what loads at start-up, and what on
// first use), and the load + activate time the
// extension measured in the last integration run in a real VS Code (test-results/activation.json,
// written by `npm run test:vscode`): the bundle's evaluation plus activate() itself.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bundleSizes, bundleSizesText } from '../scripts/bundle-sizes.mjs';
import { REPO_ROOT, RESULTS_DIR } from '../test/e2e/harness/paths';

const sizes = bundleSizes(JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'metafile.json'), 'utf8')));
const webview = join(REPO_ROOT, 'dist', 'webview.js');
const kb = (file: string): string => (statSync(file).size / 1024).toFixed(1);
console.log(`cost at rest: ${bundleSizesText(sizes)}; webview bundle ${kb(webview)} KB (production build)`);
const activationFile = join(RESULTS_DIR, 'activation.json');
if (existsSync(activationFile)) {
  const { activationMs, stages, vscode, at } = JSON.parse(readFileSync(activationFile, 'utf8')) as { activationMs: number; stages: string; vscode: string; at: string };
  console.log(`require + activate in the extension host: ${activationMs.toFixed(1)} ms (VS Code ${vscode}, measured ${at})`);
  console.log(`  stages, ms since the bundle began evaluating: ${stages}`);
  const ok = sizes.startup.bytes < 200 * 1024 && activationMs < 30;
  console.log(`target: under 200 KB at start-up and 30 ms: ${ok ? 'met' : 'NOT met'}`);
  if (!ok) process.exitCode = 1;
} else {
  console.log('load + activate: not measured yet (run npm run test:vscode first)');
}
