// One real VS Code for the UI tests: the stand-in, code-server with the packaged extension
// installed (as a user would have it), and a headless chromium on the workbench.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandIn, type StandIn, type StandInOptions } from '../standin/server';
import type { Page } from 'playwright-core';
import { launchBrowser, openWorkbench, type Browser } from './harness/browser';
import { installVsix, startCodeServer, type CodeServer } from './harness/codeServer';
import { REPO_ROOT } from './harness/paths';

export const TEST_KEY = 'ok_e2e_test_key_0123456789';

export interface UiSession {
  standIn: StandIn;
  server: CodeServer;
  browser: Browser;
  workspace: string;
  home: string;
  /**
   * Kills code-server with its extension hosts (SIGKILL: a crash), starts it again, reopens the
   * workbench. `whileDown` runs after the kill and before the start (nothing of VS Code runs then).
   */
  crashAndRestart(whileDown?: () => void | Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** The extension's own log (its "CreatOK" output channel) of this session, every file of it. */
export function extensionLog(home: string): string {
  const found: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/CreatOK\.log$/.test(name)) found.push(full);
    }
  };
  walk(join(home, 'user-data', 'logs'));
  return found.map((file) => readFileSync(file, 'utf8')).join('\n');
}

/**
 * The session a failed test ran in: its extension log and every notification it showed (toasts
 * go after 10–15 s) are printed, since CI shows only what is printed.
 */
let current: { home: string; page?: Page } | undefined;
afterEach(async function () {
  if (this.currentTest?.state !== 'failed' || !current) return;
  const lines = extensionLog(current.home).trimEnd().split('\n');
  console.log(`--- the extension's log, last ${Math.min(lines.length, 80)} of ${lines.length} lines ---\n${lines.slice(-80).join('\n')}\n---`);
  const page = current.page;
  if (!page) return;
  try {
    await page.keyboard.press('F1');
    await page.keyboard.type('Notifications: Show Notifications');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Notifications: Show Notifications' }).first().waitFor({ timeout: 5000 });
    await page.keyboard.press('Enter');
    const center = page.locator('.notifications-center');
    await center.waitFor({ state: 'visible', timeout: 5000 });
    const shown = await center.locator('.notification-list-item-message').allTextContents();
    console.log(`--- the notifications (${shown.length}) ---\n${shown.join('\n')}\n---`);
    await page.keyboard.press('Escape');
  } catch (error) {
    console.log(`(the notifications could not be read: ${(error as Error).message.split('\n')[0]})`);
  }
});

export function vsixPath(): string {
  return process.env.CREATOK_VSIX ?? join(REPO_ROOT, 'out', 'creatok-image.vsix');
}

export interface UiSessionOptions {
  /** Workspace trust on: the folder opens in Restricted Mode. */
  workspaceTrust?: boolean;
  /** More user settings (the stand-in's base URL is always set). */
  userSettings?: Record<string, unknown>;
  /** Lays out the workspace before VS Code opens it (the stand-in is already running). */
  prepare?: (workspace: string, standIn: StandIn, home: string) => void;
}

export async function startUiSession(standInOptions: StandInOptions = {}, files: Record<string, Buffer | string> = {}, options: UiSessionOptions = {}): Promise<UiSession> {
  const home = mkdtempSync(join(tmpdir(), 'creatok-ui-'));
  current = { home };
  const workspace = join(home, 'workspace');
  mkdirSync(workspace, { recursive: true });
  for (const [name, contents] of Object.entries(files)) writeFileSync(join(workspace, name), contents);
  const cleanups: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: Error) => console.error(`cleanup: ${e.message}`));
    if (!process.env.KEEP_E2E) rmSync(home, { recursive: true, force: true });
  };
  try {
    const standIn = await startStandIn({ apiKey: TEST_KEY, queuedMs: 1500, taskMs: 5000, ...standInOptions });
    cleanups.push(() => standIn.close());
    options.prepare?.(workspace, standIn, home);
    const extensionsDir = join(home, 'extensions');
    await installVsix(vsixPath(), extensionsDir, home);
    const serverOptions = { home, extensionsDir, userSettings: { 'creatok.baseUrl': standIn.url, ...options.userSettings }, env: { CREATOK_API_KEY: TEST_KEY }, workspaceTrust: options.workspaceTrust };
    const server = await startCodeServer(serverOptions);
    cleanups.push(() => session.server.stop());
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    current.page = browser.page;
    await openWorkbench(browser.page, server.url, workspace);
    const session: UiSession = {
      standIn,
      server,
      browser,
      workspace,
      home,
      close,
      crashAndRestart: async (whileDown) => {
        await session.server.stop('SIGKILL');
        await browser.page.goto('about:blank');
        await whileDown?.();
        session.server = await startCodeServer(serverOptions);
        await openWorkbench(browser.page, session.server.url, workspace);
      },
    };
    return session;
  } catch (error) {
    await close();
    throw error;
  }
}
