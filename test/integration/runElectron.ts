// The same integration suite under @vscode/test-electron, for a desktop that can download
// VS Code (CI cannot: it uses code-server, see test/e2e/harness/runIntegration.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { startStandIn } from '../standin/server';

const KEY = 'ok_integration_key_123456';

async function main(): Promise<void> {
  const standIn = await startStandIn({ apiKey: KEY, queuedMs: 300, taskMs: 1500 });
  const workspace = mkdtempSync(join(tmpdir(), 'creatok-int-ws-'));
  try {
    await runTests({
      extensionDevelopmentPath: resolve(__dirname, '..', '..', '..'),
      extensionTestsPath: resolve(__dirname, 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: { CREATOK_TEST_STANDIN_URL: standIn.url, CREATOK_API_KEY: KEY },
    });
  } finally {
    await standIn.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
