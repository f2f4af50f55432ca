// Headless Debian chromium driven by playwright-core, and the workbench gestures a person
// makes: the command palette, the webview panel, modal dialogs, notifications.
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { chromiumPath, RESULTS_DIR } from './paths';

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'creatok-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1400, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function openWorkbench(page: Page, serverUrl: string, folder: string): Promise<void> {
  await page.goto(`${serverUrl}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 90_000 });
}

/** Runs a palette command; retries until the extension host has registered it. */
export async function runCommand(page: Page, title: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 3000 });
      await input.fill(`>${title}`);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      await row.waitFor({ state: 'visible', timeout: 2000 });
      await page.keyboard.press('Enter');
      return;
    } catch (error) {
      if (Date.now() > end) throw error;
      await page.keyboard.press('Escape').catch(() => undefined);
      await page.locator('.part.statusbar').click({ position: { x: 600, y: 10 } }).catch(() => undefined); // refocus the workbench
      await page.waitForTimeout(300);
    }
  }
}

/** The content frame of the (single) visible webview. */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

export function modalDialog(page: Page): Locator {
  return page.locator('.monaco-dialog-box');
}

export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(RESULTS_DIR, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Polls `check` until it returns a value (not undefined) or the time runs out. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Chooses an entry of the context menu that is open, with the keyboard (a mouse click on a
 * custom menu entry is not always taken in headless chromium).
 */
export async function chooseFromContextMenu(page: Page, action: string): Promise<void> {
  const menu = page.locator('.monaco-menu');
  await menu.waitFor({ state: 'visible', timeout: 10_000 });
  const labels = (await menu.locator('.action-item:not(.disabled) .action-label').allTextContents()).map((l) => l.trim()).filter(Boolean);
  if (!labels.includes(action)) throw new Error(`"${action}" is not in the menu: ${labels.join(', ')}`);
  const focused = async (): Promise<string> => ((await menu.locator('.action-item.focused .action-label').first().textContent().catch(() => '')) ?? '').trim();
  for (let i = 0; i <= labels.length + 2 && (await focused()) !== action; i++) await page.keyboard.press('ArrowDown');
  if ((await focused()) !== action) throw new Error(`could not focus "${action}" in the menu`);
  await page.keyboard.press('Enter');
  await menu.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Right-clicks a file in the Explorer and chooses an entry (retried until the extension's menu entry is there). */
export async function explorerAction(page: Page, fileName: string, action: string): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: fileName }).first();
  await row.waitFor({ state: 'visible', timeout: 60_000 });
  await waitFor(`"${action}" in the Explorer menu`, async () => {
    await row.click({ button: 'right' });
    try {
      await chooseFromContextMenu(page, action);
      return true;
    } catch {
      await page.keyboard.press('Escape');
      return undefined;
    }
  }, 60_000, 500);
}
