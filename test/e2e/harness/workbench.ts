// The workbench parts the UI tests look at: the status bar, the CreatOK Tasks view and its rows.
import type { Page } from 'playwright-core';

export const statusBarItem = (page: Page, text: string | RegExp) => page.locator('.part.statusbar .statusbar-item', { hasText: text });

export async function showTasksView(page: Page): Promise<void> {
  const title = page.locator('.part.sidebar .composite.title', { hasText: /CreatOK/i });
  // The activity bar tab toggles: click it only when the view is not showing.
  if (!(await title.isVisible())) await page.locator('.part.activitybar').getByRole('tab', { name: /CreatOK/ }).click();
  await title.waitFor({ state: 'visible', timeout: 30_000 });
}

export const taskRow = (page: Page, text: string | RegExp) => page.locator('.pane-body .monaco-list-row', { hasText: text }).first();

/** Clicks one of a run's inline actions (the icons on its row), by the command's title. */
export async function rowAction(page: Page, text: string | RegExp, action: string): Promise<void> {
  const row = taskRow(page, text);
  await row.hover();
  const button = row.locator(`.actions .action-label[aria-label="${action}"]`);
  await button.waitFor({ state: 'visible', timeout: 10_000 });
  await button.click();
}
