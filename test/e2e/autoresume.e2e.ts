// Automatic resume when generate-image/ is hidden from VS Code's file search: listed in
// .gitignore (of a git repository), or in files.exclude. A run left in progress must be
// followed to its end after VS Code opens the folder, without anything done by hand.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newRunRecord } from '../../src/core/runs/lifecycle';
import type { RunRecord } from '../../src/core/runs/record';
import { screenshot, waitFor } from './harness/browser';
import { startUiSession, type UiSession } from './session';
import type { StandIn } from '../standin/server';

const request = { prompt: 'left running before a restart', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '1:1', n: 1, estimatedCredits: 2, currency: 'credits' };

/** A run whose task is still running at the stand-in, marked in progress, as a closed window leaves it. */
function plantRunningRun(workspace: string, standIn: StandIn): RunRecord {
  const taskId = standIn.createTask({ prompt: request.prompt, model: request.model, resolution: request.resolution, n: 1, taskMs: 4000 });
  const record: RunRecord = { ...newRunRecord(request, new Date()), task_id: taskId, status: 'queued' };
  const outputs = join(workspace, 'generate-image', '.artifacts', record.run_id, 'outputs');
  mkdirSync(outputs, { recursive: true });
  writeFileSync(join(outputs, 'result.json'), JSON.stringify(record, null, 2));
  writeFileSync(join(outputs, '.in-progress'), '');
  return record;
}

const hiddenBy: [string, (workspace: string) => void][] = [
  [
    '.gitignore (a git repository)',
    (workspace) => {
      writeFileSync(join(workspace, '.gitignore'), 'generate-image/\n');
      execFileSync('git', ['init', '-q', workspace]);
    },
  ],
  [
    'files.exclude',
    (workspace) => {
      mkdirSync(join(workspace, '.vscode'), { recursive: true });
      writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'files.exclude': { 'generate-image': true }, 'search.exclude': { 'generate-image': true } }));
    },
  ],
];

for (const [how, hide] of hiddenBy) {
  describe(`Automatic resume with generate-image/ hidden by ${how}`, function () {
    this.timeout(240_000);
    let s: UiSession;
    let planted: RunRecord;
    before(async () => {
      s = await startUiSession({ queuedMs: 500 }, {}, {
        prepare: (workspace, standIn) => {
          hide(workspace);
          planted = plantRunningRun(workspace, standIn);
        },
      });
    });
    after(async () => s?.close());
    afterEach(async function () {
      if (this.currentTest?.state === 'failed' && s) await screenshot(s.browser.page, `failure-autoresume-${how.replace(/\W+/g, '-')}`);
    });

    it('follows the unfinished run to its end, and saves its images, with nothing done by hand', async () => {
      const outputs = join(s.workspace, 'generate-image', '.artifacts', planted.run_id, 'outputs');
      const done = await waitFor('the run to be finished by the extension', () => {
        const r = JSON.parse(readFileSync(join(outputs, 'result.json'), 'utf8')) as Record<string, unknown>;
        return r.status === 'succeeded' && (r.local_images as unknown[] | undefined)?.every(Boolean) ? r : undefined;
      }, 120_000);
      assert.ok(existsSync(join(outputs, (done.local_images as string[])[0]!)));
      // The record is written first, the marker cleared a moment later: waited for, not asserted at once.
      await waitFor('the in-progress marker to be cleared', () => (existsSync(join(outputs, '.in-progress')) ? undefined : true), 15_000);
      assert.equal(s.standIn.submissions().length, 0, 'nothing sent again');
    });
  });
}
