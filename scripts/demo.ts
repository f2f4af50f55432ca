// `npm run demo`: the extension in a real VS Code (code-server) against the CreatOK stand-in,
// with a demo key set, so the whole flow can be tried with no paid account.
// Everything listens on 127.0.0.1 only. Ctrl+C stops it all.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStandIn } from '../test/standin/server';
import { installVsix, startCodeServer } from '../test/e2e/harness/codeServer';
import { cacheDir, REPO_ROOT } from '../test/e2e/harness/paths';

const DEMO_KEY = 'ok_demo_key_for_the_stand_in';

async function main(): Promise<void> {
  const home = process.env.DEMO_HOME ?? join(cacheDir(), 'demo');
  const workspace = join(home, 'workspace');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(
    join(workspace, 'README.md'),
    '# CreatOK Image demo\n\nRun **CreatOK: Generate Image** from the command palette (F1). The server behind it is the local stand-in: no credits are spent.\n',
  );
  const standIn = await startStandIn({ apiKey: DEMO_KEY, port: Number(process.env.STANDIN_PORT ?? 0), queuedMs: 2000, taskMs: 8000, imageStyle: 'scene', imageWidth: 1024, imageHeight: 1024, thumbnailSize: 256 });
  const extensionsDir = join(home, 'extensions');
  await installVsix(join(REPO_ROOT, 'out', 'creatok-image.vsix'), extensionsDir, home);
  const server = await startCodeServer({
    home,
    extensionsDir,
    port: Number(process.env.DEMO_PORT ?? 8080),
    userSettings: { 'creatok.baseUrl': standIn.url, 'workbench.colorTheme': process.env.DEMO_THEME ?? 'Default Dark Modern' },
    env: { CREATOK_API_KEY: DEMO_KEY },
  });
  const url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;
  console.log('');
  console.log('CreatOK Image demo is running (local only, no credits are spent):');
  console.log(`  VS Code:   ${url}`);
  console.log(`  Stand-in:  ${standIn.url}  (prompts with [fail] fail; [slow:20000] takes 20 s)`);
  console.log(`  Workspace: ${workspace}`);
  console.log('Open the VS Code address in a browser, then F1 → "CreatOK: Generate Image". Ctrl+C stops the demo.');
  const stop = async (): Promise<void> => {
    await server.stop();
    await standIn.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
