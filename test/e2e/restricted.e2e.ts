// A stranger's repository opened in a real VS Code in Restricted Mode: its planted run folders
// are listed, nothing acts on them (no request to CreatOK, no file written, nothing opened);
// once the folder is trusted, only the valid runs are resumed and an unknown task stops being
// asked about.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOT_FOUND_LIMIT } from '../../src/core/watcher';
import { plantHostileRepository, type HostileRepository } from './fixtures/hostileRepository';
import { notification, runCommand, screenshot, waitFor } from './harness/browser';
import { creatokLog, snapshot } from './harness/files';
import { rowAction, showTasksView, taskRow } from './harness/workbench';
import { startUiSession, type UiSession } from './session';

const readRecord = (workspace: string, runId: string): Record<string, unknown> | undefined => {
  const file = join(workspace, 'generate-image', '.artifacts', runId, 'outputs', 'result.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

describe('A hostile repository in Restricted Mode', function () {
  this.timeout(300_000);
  let s: UiSession;
  let repo: HostileRepository;
  let planted: { workspace: Map<string, string>; outside: Map<string, string> };

  before(async () => {
    s = await startUiSession({ queuedMs: 500, taskMs: 3000 }, {}, {
      workspaceTrust: true,
      prepare: (workspace, standIn, home) => {
        repo = plantHostileRepository(workspace, home, standIn);
        planted = { workspace: snapshot(workspace, join(workspace, 'generate-image', '.artifacts')), outside: snapshot(join(home, 'outside')) };
      },
    });
  });
  after(async () => s?.close());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && s) await screenshot(s.browser.page, `failure-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  it('lists every valid run read-only, and acts on nothing: 0 requests, 0 files written, nothing opened', async () => {
    const page = s.browser.page;
    await showTasksView(page);
    for (const run of Object.values(repo.valid)) await taskRow(page, run.prompt).waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.pane-body', { hasText: 'Restricted Mode: runs are listed read-only' }).first().waitFor({ timeout: 30_000 });
    for (const runId of repo.invalidRunIds) await taskRow(page, runId).waitFor({ state: 'visible', timeout: 30_000 });
    await taskRow(page, 'too large to read').waitFor({ timeout: 30_000 });
    await screenshot(page, '40-restricted-mode-tasks');
    // The extension is active (it listed the runs) and said why it resumes nothing.
    await waitFor('the restricted-mode line in the log', () => {
      return /restricted mode: runs on disk are listed, not resumed/.test(creatokLog(s.home)) ? true : undefined;
    }, 60_000);
    // The actions that would act on a run are not offered on its row.
    await taskRow(page, repo.valid.badLinks.prompt).hover();
    assert.equal(await taskRow(page, repo.valid.badLinks.prompt).locator('.actions .action-label[aria-label="Open Images"]').count(), 0);
    assert.equal(s.standIn.requests().length, 0, 'no request to CreatOK');
    assert.deepEqual(snapshot(s.workspace, join(s.workspace, 'generate-image', '.artifacts')), planted.workspace, 'nothing written outside .artifacts');
    assert.deepEqual(snapshot(repo.outside), planted.outside, 'nothing written through the links');
    assert.equal(s.browser.context.pages().length, 1, 'nothing opened');
  });

  it('the gallery is read-only in Restricted Mode: tiles, but no Delete, Insert or Vary offered', async () => {
    const page = s.browser.page;
    await runCommand(page, 'CreatOK: Open Gallery');
    const frame = page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('iframe#active-frame');
    await frame.locator('li.tile').first().waitFor({ state: 'visible', timeout: 60_000 });
    assert.ok((await frame.locator('li.tile').count()) >= 1);
    for (const name of [/^Delete Run/, /^Insert/, /^Vary/, /^Copy Markdown Link/, /^Save As/]) assert.equal(await frame.getByRole('button', { name }).count(), 0, String(name));
    await screenshot(page, '42-restricted-gallery');
    assert.equal(s.standIn.requests().length, 0, 'no request to CreatOK');
    assert.deepEqual(snapshot(repo.outside), planted.outside, 'nothing written through the links');
    await runCommand(page, 'View: Close All Editors');
  });

  it('after trust: only the valid runs are resumed, links are never followed, and an unknown task stops being asked about', async () => {
    const page = s.browser.page;
    await runCommand(page, 'Workspaces: Manage Workspace Trust');
    const trust = page.locator('.workspace-trust-editor').getByRole('button', { name: /^Trust/ }).first();
    await trust.waitFor({ state: 'visible', timeout: 30_000 });
    await trust.click();
    await page.locator('.workspace-trust-header.workspace-trust-trusted').waitFor({ timeout: 30_000 });
    // The trust editor opens as a modal editor: close it before using the workbench again.
    const modal = page.locator('.monaco-modal-editor-block');
    await waitFor('the trust editor to close', async () => {
      if ((await modal.count()) === 0) return true;
      await modal.locator('[aria-label^="Close"], .codicon-close').first().click({ timeout: 2000 }).catch(() => page.keyboard.press('Escape'));
      return undefined;
    }, 30_000, 500);
    await page.locator('.pane-body', { hasText: 'Restricted Mode: runs are listed read-only' }).waitFor({ state: 'detached', timeout: 30_000 });

    const resumed = await waitFor('the planted run still going on to finish', () => {
      const r = readRecord(s.workspace, repo.valid.resumable.run_id);
      return r?.status === 'succeeded' && (r.local_images as unknown[] | undefined)?.every(Boolean) ? r : undefined;
    }, 90_000);
    assert.ok(existsSync(join(s.workspace, 'generate-image', '.artifacts', repo.valid.resumable.run_id, 'outputs', (resumed.local_images as string[])[0]!)));

    const linked = await waitFor('the run whose images folder is a link to end', () => {
      const r = readRecord(s.workspace, repo.valid.linkedImages.run_id);
      return r?.status === 'succeeded' && r.download_error ? r : undefined;
    }, 90_000);
    assert.match(String(linked.download_error), /symbolic link/);
    assert.deepEqual(snapshot(repo.outside), planted.outside, 'nothing downloaded through the link');

    const foreign = await waitFor('the unknown task to end', () => {
      const r = readRecord(s.workspace, repo.valid.foreign.run_id);
      return r?.status === 'unknown_task' ? r : undefined;
    }, 120_000);
    assert.ok(foreign);
    const asked = (): number => s.standIn.requests().filter((r) => r.endpoint === 'status' && r.query.task_id === 'task_foreign_planted').length;
    assert.equal(asked(), NOT_FOUND_LIMIT);
    // Not resumed again at the next start: the marker goes a moment after the final record is written.
    const foreignMarker = join(s.workspace, 'generate-image', '.artifacts', repo.valid.foreign.run_id, 'outputs', '.in-progress');
    await waitFor('the unknown task\'s in-progress marker to be cleared', () => (existsSync(foreignMarker) ? undefined : true), 15_000);

    for (const taskId of repo.invalidTaskIds) {
      assert.equal(s.standIn.requests().filter((r) => r.query.task_id === taskId).length, 0, `${taskId} (an invalid record) is never asked about`);
    }
    assert.equal(s.standIn.submissions().length, 0, 'nothing paid');

    // Open Images on the run with command:/vscode:/file:/javascript: links opens nothing.
    await showTasksView(page);
    await rowAction(page, repo.valid.badLinks.prompt, 'Open Images');
    await notification(page, /4 image links were not opened/).waitFor({ timeout: 30_000 });
    assert.equal(s.browser.context.pages().length, 1, 'nothing opened');
    assert.equal(asked(), NOT_FOUND_LIMIT, 'still not asked about again');
    await screenshot(page, '41-trusted-after-hostile');
  });
});
