// Runs the integration suite (test/integration) inside the real extension host of code-server:
// the workbench is opened with ?payload=[extensionDevelopmentPath, extensionTestsPath] and the
// exit code comes back through window.codeAutomationExit (code-server's smoke-test driver).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandIn } from '../../standin/server';
import { launchBrowser } from './browser';
import { startCodeServer } from './codeServer';
import { REPO_ROOT, RESULTS_DIR } from './paths';

const KEY = 'ok_integration_key_123456';
const NOISE = /ENOTFOUND|connection token|Creating a socket|builtin extensions cache|^\[|^%c/;

async function main(): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), 'creatok-int-'));
  const workspace = join(home, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const standIn = await startStandIn({ apiKey: KEY, queuedMs: 300, taskMs: 1500 });
  // Chat features on: the suite invokes the extension's language-model tools.
  const server = await startCodeServer({
    home,
    extensionsDir: join(home, 'extensions'),
    smokeTestDriver: true,
    env: { CREATOK_API_KEY: KEY },
    userSettings: { 'chat.disableAIFeatures': false },
  });
  const browser = await launchBrowser();
  try {
    const authority = new URL(server.url).host;
    const remote = (path: string): string => `vscode-remote://${authority}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(REPO_ROOT)],
      ['extensionTestsPath', remote(join(REPO_ROOT, 'out', 'test', 'integration', 'index.js'))],
      ['extensionEnvironment', JSON.stringify({ CREATOK_TEST_STANDIN_URL: standIn.url, CREATOK_API_KEY: KEY, CREATOK_TEST_RESULTS_DIR: RESULTS_DIR })],
    ];
    let done: (code: number | string) => void = () => undefined;
    const exited = new Promise<number | string>((resolve) => (done = resolve));
    await browser.page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      const line = Array.isArray(args) ? args.join(' ') : String(args);
      if (process.env.VERBOSE || ((type === 'info' || type === 'error' || type === 'log') && !NOISE.test(line))) console.log(line);
    });
    await browser.page.exposeFunction('codeAutomationExit', (code: number) => done(code));
    const started = Date.now();
    await browser.page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const timeoutMs = Number(process.env.INTEGRATION_TIMEOUT_MS ?? 300_000);
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), timeoutMs))]);
    console.log(`integration tests finished: exit code ${code} in ${Date.now() - started} ms`);
    if (code !== 0) console.log(`code-server log: ${server.logFile}`);
    return code === 0 ? 0 : 1;
  } finally {
    await browser.close();
    await server.stop();
    await standIn.close();
    if (!process.env.KEEP_E2E) rmSync(home, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
