// The extension inside a real extension host: activation, commands, settings, and the whole
// generate flow against the stand-in (confirmation answered by the test: the test driver
// skips modal dialogs, so the UI tests cover the real modal).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gradientPng } from '../../standin/png';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PanelForm, RunView } from '../../../src/core/panelMessages';
import type { ReferenceFile } from '../../../src/core/references';
import type { RunEvent } from '../../../src/core/runs/runService';
import { silentLogger } from '../../../src/core/log';
import { ImageActions } from '../../../src/vscode/imageActions';
import { requestOfForm } from '../../../src/vscode/panelController';
import { endMessage, toRunView } from '../../../src/vscode/runPresenter';
import type { GenerateResult } from '../../../src/vscode/generateFlow';
import { EXTENSION_ID, form, testing, until, workspaceRoot } from './helpers';
import { standIn } from './standInControl';

interface Generation {
  result: GenerateResult;
  /** The flow's steps, then the run's events as the run service sent them. */
  views: RunView[];
  events: RunEvent[];
  problems: string[];
  /** The run's one `ended` event. */
  ended(): Promise<Extract<RunEvent, { kind: 'ended' }>>;
}

/** Generates through the same flow as the panel and the chat tool, recording what it says. */
async function generate(f: PanelForm, references: ReferenceFile[] = []): Promise<Generation> {
  const api = await testing();
  const views: RunView[] = [];
  const events: RunEvent[] = [];
  let problems: string[] = [];
  const subscription = api.runs.onDidChange((e) => events.push(e));
  const result = await api.flow.generate(requestOfForm(f), references, { step: (v) => views.push(v), problems: (p) => (problems = p) });
  const runId = result.kind === 'submitted' || result.kind === 'submitFailed' ? result.run.record.run_id : undefined;
  return {
    result,
    views,
    events,
    get problems() {
      return problems;
    },
    ended: async () => {
      const end = await until('the run to end', () => events.find((e): e is Extract<RunEvent, { kind: 'ended' }> => e.kind === 'ended' && e.run.record.run_id === runId), 100_000);
      subscription.dispose();
      return end;
    },
  };
}

export function extensionSuite(): void {
  describe('CreatOK Image in the extension host', () => {
    let activeAtStart: boolean | undefined;
    before(async () => {
      activeAtStart = vscode.extensions.getExtension(EXTENSION_ID)?.isActive;
      await vscode.workspace.getConfiguration('creatok').update('baseUrl', process.env.CREATOK_TEST_STANDIN_URL, vscode.ConfigurationTarget.Global);
      rmSync(join(workspaceRoot(), 'generate-image'), { recursive: true, force: true });
    });
    beforeEach(async () => {
      await standIn.reset();
      (await testing()).setConfirm(undefined);
    });

    it('registers its commands (active after start-up: onStartupFinished)', async () => {
      assert.notEqual(activeAtStart, undefined, 'the extension is installed');
      const commands = await vscode.commands.getCommands(true);
      for (const id of ['creatok.generateImage', 'creatok.setApiKey', 'creatok.clearApiKey', 'creatok.showLog']) assert.ok(commands.includes(id), id);
    });

    it('measures its own load + activate time (for the cost-at-rest benchmark)', async () => {
      const api = await testing();
      assert.ok(Number.isFinite(api.activationMs) && api.activationMs > 0, String(api.activationMs));
      const dir = process.env.CREATOK_TEST_RESULTS_DIR;
      if (dir) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'activation.json'), JSON.stringify({ activationMs: api.activationMs, stages: api.activationStages, vscode: vscode.version, at: new Date().toISOString() }) + '\n');
      }
    });

    it('keeps creatok.baseUrl to the user settings (application scope)', () => {
      const inspect = vscode.workspace.getConfiguration('creatok').inspect<string>('baseUrl');
      assert.equal(inspect?.defaultValue, 'https://www.creatok.ai');
      assert.equal(inspect?.globalValue, process.env.CREATOK_TEST_STANDIN_URL);
    });

    it('opens one Generate Image panel, however often the command runs', async () => {
      await vscode.commands.executeCommand('creatok.generateImage');
      await vscode.commands.executeCommand('creatok.generateImage');
      const panelTabs = (): vscode.Tab[] =>
        vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('creatok.generateImage'));
      await until('the panel tab', () => (panelTabs().length > 0 ? true : undefined));
      await vscode.commands.executeCommand('creatok.generateImage');
      assert.equal(panelTabs().length, 1);
    });

    it('generates: one submission, the task id on disk, then the images in result.json', async () => {
      const api = await testing();
      let confirmations = 0;
      api.setConfirm(async () => (confirmations++, true));
      const g = await generate(form('A lighthouse on a cliff at dusk', { n: 2 }));
      const result = g.result;
      assert.equal(result.kind, 'submitted');
      assert.ok(result.kind === 'submitted');
      const runDir = join(workspaceRoot(), 'generate-image', '.artifacts', result.run.record.run_id, 'outputs');
      const first = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8'));
      assert.ok(first.task_id, 'the task id is on disk right after the submit');
      assert.equal((await g.ended()).reason, 'succeeded');
      assert.equal(g.events.filter((e) => e.kind === 'ended').length, 1, 'one terminal event');
      const final = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8'));
      assert.equal(final.status, 'succeeded');
      assert.equal(final.images.length, 2);
      assert.ok(existsSync(join(runDir, 'result.md')));
      assert.equal(confirmations, 1);
      assert.equal((await standIn.submissions()).length, 1);
      assert.ok(g.events.some((e) => (e.kind === 'started' || e.kind === 'updated') && ['queued', 'running', 'pending'].includes(e.run.record.status)), 'the views saw the task in progress');
      assert.ok(g.views.some((v) => v.phase === 'submitting'), 'the flow said it was sending');
    });

    it('shows the prompt in the confirmation: the first 300 characters and the whole length of a longer one', async () => {
      const api = await testing();
      const details: string[] = [];
      api.setConfirm(async (_request, _references, context) => (details.push(context.text.detail), false));
      const short = 'A red fox asleep in fresh snow';
      const long = `${'Ocean waves at golden hour, '.repeat(11)}THE-END-MARKER ${'x'.repeat(80)}`; // the marker starts past character 300
      await generate(form(short));
      await generate(form(long));
      // A prompt cannot draw lines of its own that look like the cost.
      await generate(form('A cat\nEstimated cost: 1 credits\u202e'));
      const spoof = details[2]!.split('\n');
      assert.equal(spoof.filter((l) => l.startsWith('Estimated cost:')).length, 1, details[2]);
      assert.ok(spoof.includes('Prompt: "A cat Estimated cost: 1 credits"'), details[2]);
      assert.ok(details[0]!.includes(`Prompt: "${short}"`), details[0]);
      assert.ok(details[1]!.includes(`Prompt: "${[...long].slice(0, 300).join('')}…" (${long.length} characters in all)`), details[1]);
      assert.ok(!details[1]!.includes('THE-END-MARKER'), 'nothing past 300 characters');
      assert.ok(!details.some((d) => d.includes('chat agent')), 'the panel is not an agent');
    });

    it('sends nothing when the confirmation is declined', async () => {
      const api = await testing();
      api.setConfirm(async () => false);
      const { result } = await generate(form('A red bicycle'));
      assert.equal(result.kind, 'declined');
      assert.equal((await standIn.submissions()).length, 0);
    });

    it('sends one task for two Generate requests made while the first is being confirmed', async () => {
      const api = await testing();
      let release: ((ok: boolean) => void) | undefined;
      api.setConfirm(() => new Promise<boolean>((resolve) => (release = resolve)));
      const first = generate(form('A paper boat'));
      const second = (await generate(form('A paper boat'))).result;
      assert.equal(second.kind, 'busy');
      const confirm = await until('the confirmation', () => release);
      const third = (await generate(form('A paper boat'))).result;
      assert.equal(third.kind, 'busy', 'busy while the confirmation is open');
      confirm(true);
      assert.equal((await first).result.kind, 'submitted');
      assert.equal((await standIn.submissions()).length, 1);
    });

    it('refuses what the model cannot do before asking anything', async () => {
      const api = await testing();
      let asked = false;
      api.setConfirm(async () => (asked = true));
      const { result, problems } = await generate(form('x', { model: 'seedream-5.0-lite', resolution: '1K' }));
      assert.equal(result.kind, 'invalid');
      assert.match(problems.join(' '), /1K/);
      assert.equal(asked, false);
    });

    it('says the key is invalid on a 401, and records the run as not sent', async () => {
      const api = await testing();
      api.setConfirm(async () => true);
      await standIn.configure({ apiKey: 'ok_some_other_key' });
      const { result } = await generate(form('A teapot'));
      assert.equal(result.kind, 'submitFailed');
      assert.ok(result.kind === 'submitFailed');
      assert.match(result.message.message, /key is missing or invalid/);
      assert.equal(result.message.action, 'setApiKey', 'the panel offers Set API Key');
      assert.equal(result.run.record.status, 'submit_failed');
    });

    it('records a lost submit answer as unconfirmed and never sends it again', async () => {
      const api = await testing();
      api.setConfirm(async () => true);
      await standIn.configure({ faults: [{ endpoint: 'submit', kind: 'reset', afterBody: true, times: 1 }] });
      const { result } = await generate(form('A kite'));
      assert.equal(result.kind, 'submitFailed');
      assert.ok(result.kind === 'submitFailed');
      assert.equal(result.run.record.status, 'unconfirmed');
      assert.match(result.message.message, /may or may not/);
      assert.equal((await standIn.submissions()).length, 1);
    });

    it('finishes a generation with 30 % of the read answers faulty, and one submission', async function () {
      this.timeout(120_000);
      const api = await testing();
      api.setConfirm(async () => true);
      const config = vscode.workspace.getConfiguration('creatok');
      await config.update('requestTimeoutSeconds', 5, vscode.ConfigurationTarget.Global);
      const kinds = ['http500', 'html502', 'http503', 'http429', 'malformedJson', 'apiError', 'reset', 'hang'];
      const each = 0.3 / kinds.length;
      const faults = kinds.flatMap((kind, i) =>
        ['status', 'capabilities'].map((endpoint) => ({ endpoint, kind, probability: each / (1 - i * each), ...(kind.startsWith('http4') || kind === 'http503' ? { retryAfter: '1' } : {}) })),
      );
      await standIn.configure({ faults, seed: 7 });
      try {
        const g = await generate(form('A windmill in a tulip field', { n: 2 }));
        assert.equal(g.result.kind, 'submitted');
        const done = await g.ended();
        assert.equal(done.reason, 'succeeded');
        assert.equal(done.run.record.images.length, 2);
        assert.equal((await standIn.submissions()).length, 1);
      } finally {
        await config.update('requestTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
      }
    });

    describe('reference images', () => {
      let refDir: string;
      const png = gradientPng(48, 48, 11);
      const file = (name: string, bytes: Buffer | string = png): string => {
        const path = join(refDir, name);
        writeFileSync(path, bytes);
        return path;
      };
      beforeEach(async () => {
        refDir = join(workspaceRoot(), 'refs');
        rmSync(refDir, { recursive: true, force: true });
        mkdirSync(refDir, { recursive: true });
        (await testing()).panel.clearReferences();
      });

      it('uploads the reference, then submits its objectKey, and records it', async () => {
        const api = await testing();
        let listed: string[] = [];
        api.setConfirm(async (_request, references) => ((listed = references.map((r) => r.name)), true));
        const problems = await vscode.commands.executeCommand<string[]>('creatok.useAsReference', vscode.Uri.file(file('mug.png')));
        assert.deepEqual(problems, []);
        assert.deepEqual(api.panel.referenceFiles.map((r) => r.name), ['mug.png']);
        const { result } = await generate(form('This mug in the style of a watercolor'), api.panel.referenceFiles);
        assert.equal(result.kind, 'submitted');
        assert.deepEqual(listed, ['mug.png'], 'the confirmation lists the reference');
        const submissions = await standIn.submissions();
        assert.equal(submissions.length, 1);
        const keys = (submissions[0] as { body?: { imageObjectKeys?: string[] } }).body?.imageObjectKeys;
        assert.ok(keys && keys.length === 1);
        assert.ok(result.kind === 'submitted');
        const onDisk = JSON.parse(readFileSync(join(workspaceRoot(), 'generate-image', '.artifacts', result.run.record.run_id, 'outputs', 'result.json'), 'utf8'));
        assert.deepEqual(onDisk.references, [{ path: 'refs/mug.png', size: png.length, type: 'image/png', objectKey: keys[0] }]);
      });

      it('refuses a text file renamed .png, and a file over the size cap, when they are added', async () => {
        const api = await testing();
        const problems = await api.panel.addReferences([file('notes.png', 'hello, not an image'), file('huge.png', Buffer.concat([png, Buffer.alloc(21 * 1024 * 1024)]))]);
        assert.equal(problems.length, 2);
        assert.match(problems[0]!, /notes\.png is not a PNG/);
        assert.match(problems[1]!, /huge\.png is too large/);
        assert.equal(api.panel.referenceFiles.length, 0);
      });

      it('refuses more references than the model takes, and sends nothing', async () => {
        const api = await testing();
        api.setConfirm(async () => true);
        await api.panel.addReferences(['a', 'b', 'c', 'd'].map((n) => file(`${n}.png`)));
        const { result, problems } = await generate(form('x', { model: 'seedream-5.0-lite' }), api.panel.referenceFiles);
        assert.equal(result.kind, 'invalid');
        assert.match(problems.join(' '), /at most 3 reference images/);
        assert.equal((await standIn.submissions()).length, 0);
        assert.equal((await standIn.uploads()).length, 0);
      });

      it('names a file deleted after it was added, and sends nothing', async () => {
        const api = await testing();
        api.setConfirm(async () => true);
        const gone = file('gone.png');
        await api.panel.addReferences([gone]);
        rmSync(gone);
        const { result, problems } = await generate(form('x'), api.panel.referenceFiles);
        assert.equal(result.kind, 'invalid');
        assert.match(problems.join(' '), /gone\.png is no longer there/);
        assert.equal((await standIn.submissions()).length, 0);
      });

      it('names the image whose upload failed, and submits nothing', async () => {
        const api = await testing();
        api.setConfirm(async () => true);
        await api.panel.addReferences([file('first.png'), file('second.png')]);
        await standIn.configure({ faults: [{ endpoint: 'presign', kind: 'apiError', times: 1 }] });
        const { result } = await generate(form('x'), api.panel.referenceFiles);
        assert.equal(result.kind, 'uploadFailed');
        assert.ok(result.kind === 'uploadFailed');
        assert.match(result.message.message, /first\.png could not be uploaded/);
        assert.equal((await standIn.submissions()).length, 0);
      });
    });

    describe('from a generated image to the user\'s work', () => {
      /** A finished run of `prompt` (through the same flow as the panel), with its images saved. */
      const finishedRun = async (prompt: string, extra: Partial<PanelForm> = {}): Promise<RunEvent & { kind: 'ended' }> => {
        const api = await testing();
        api.setConfirm(async () => true);
        const g = await generate(form(prompt, extra));
        assert.equal(g.result.kind, 'submitted');
        const end = await g.ended();
        assert.equal(end.reason, 'succeeded');
        assert.ok(end.run.record.local_images?.every(Boolean), 'images saved');
        return end;
      };
      const imageFile = (end: RunEvent & { kind: 'ended' }, i = 0): string =>
        join(workspaceRoot(), 'generate-image', '.artifacts', end.run.record.run_id, 'outputs', end.run.record.local_images![i]!);

      it('inserts into a Markdown and an HTML file a relative link to a copy of the image beside the document (a second Insert adds no file)', async () => {
        const end = await finishedRun('A red fox in the snow, *watercolor*');
        for (const [file, pattern] of [
          ['docs/guide/page.md', /^Intro\n!\[A red fox in the snow, \\\*watercolor\\\*\]\(([^)]+)\)\n$/],
          ['site/my pages/index.html', /^Intro\n<img src="([^"]+)" alt="A red fox in the snow, \*watercolor\*" \/>\n$/],
        ] as const) {
          const path = join(workspaceRoot(), file);
          mkdirSync(join(path, '..'), { recursive: true });
          writeFileSync(path, 'Intro\n\n');
          const editor = await vscode.window.showTextDocument(vscode.Uri.file(path));
          editor.selection = new vscode.Selection(1, 0, 1, 0);
          assert.equal(await vscode.commands.executeCommand('creatok.insertImage', { runId: end.run.record.run_id, index: 0 }), true);
          // The document the user sees holds the insertion. (Not saved: in code-server a save right
          // after a file was created on disk is sometimes refused as a conflict, which says nothing
          // about Insert; that is where this test failed once in a while.)
          const text = editor.document.getText();
          const match = pattern.exec(text);
          assert.ok(match, `${file}: ${JSON.stringify(text)}; active ${vscode.window.activeTextEditor?.document.uri.path}`);
          assert.ok(!match[1]!.includes('\\'), 'forward slashes');
          const copy = join(join(path, '..'), match[1]!);
          assert.equal(copy, join(join(path, '..'), 'a-red-fox-in-the-snow-watercolor.png'), 'a copy named from the prompt, beside the document');
          assert.deepEqual(readFileSync(copy), readFileSync(imageFile(end)), 'the image\'s bytes');
          const filesBefore = readdirSync(join(path, '..')).sort();
          assert.equal(await vscode.commands.executeCommand('creatok.insertImage', { runId: end.run.record.run_id, index: 0 }), true);
          assert.deepEqual(readdirSync(join(path, '..')).sort(), filesBefore, 'the equal copy is linked again, not copied again');
          assert.equal(editor.document.getText().split(match[1]!).length - 1, 2, 'the same link twice');
          const recorded = JSON.parse(readFileSync(join(workspaceRoot(), 'generate-image', '.artifacts', end.run.record.run_id, 'outputs', 'result.json'), 'utf8'));
          assert.ok((recorded.copies as string[]).includes(join(file, '..', 'a-red-fox-in-the-snow-watercolor.png')), `the record lists the copy: ${recorded.copies}`);
          await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
        }
      });

      it('copies every image to creatok.imagesFolder under a name from the prompt, de-duplicated', async () => {
        const config = vscode.workspace.getConfiguration('creatok');
        await config.update('imagesFolder', 'assets/images', vscode.ConfigurationTarget.Workspace);
        rmSync(join(workspaceRoot(), 'assets'), { recursive: true, force: true });
        try {
          const first = await finishedRun('A lighthouse at dawn');
          const second = await finishedRun('A lighthouse at dawn');
          const folder = join(workspaceRoot(), 'assets', 'images');
          assert.deepEqual(readdirSync(folder).sort(), ['a-lighthouse-at-dawn-2.png', 'a-lighthouse-at-dawn.png']);
          assert.deepEqual(readFileSync(join(folder, 'a-lighthouse-at-dawn.png')), readFileSync(imageFile(first)), 'equal bytes');
          assert.deepEqual(readFileSync(join(folder, 'a-lighthouse-at-dawn-2.png')), readFileSync(imageFile(second)));
          const recorded = JSON.parse(readFileSync(join(workspaceRoot(), 'generate-image', '.artifacts', second.run.record.run_id, 'outputs', 'result.json'), 'utf8'));
          assert.deepEqual(recorded.copies, ['assets/images/a-lighthouse-at-dawn-2.png']);
        } finally {
          await config.update('imagesFolder', undefined, vscode.ConfigurationTarget.Workspace);
        }
      });

      it('"Generate Image from Selection" fills the prompt with the selected text', async () => {
        const api = await testing();
        const path = join(workspaceRoot(), 'notes.md');
        writeFileSync(path, '# Notes\nA paper crane on a desk\n');
        const editor = await vscode.window.showTextDocument(vscode.Uri.file(path));
        editor.selection = new vscode.Selection(1, 0, 1, 25);
        await vscode.commands.executeCommand('creatok.generateFromSelection');
        assert.equal(api.panel.lastPrefill?.prompt, 'A paper crane on a desk');
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      });

      it('"Vary" uploads exactly the result\'s bytes and submits their key, once', async () => {
        const api = await testing();
        const end = await finishedRun('A teapot on a shelf');
        await standIn.reset();
        await api.tasksView.index.refresh();
        const entry = (await api.tasksView.index.page(500)).find((e) => e.runId === end.run.record.run_id);
        assert.ok(entry);
        const problems = await vscode.commands.executeCommand<string[]>('creatok.tasks.useAsReference', entry);
        assert.deepEqual(problems, []);
        assert.deepEqual(api.panel.referenceFiles.map((r) => r.file), [imageFile(end)]);
        assert.equal(api.panel.lastPrefill?.prompt, 'A teapot on a shelf');
        const { result } = await generate(form('A teapot on a shelf, in blue'), api.panel.referenceFiles);
        assert.equal(result.kind, 'submitted');
        const [upload] = await standIn.uploads();
        assert.equal(upload?.sha256, createHash('sha256').update(readFileSync(imageFile(end))).digest('hex'));
        const submissions = await standIn.submissions();
        assert.equal(submissions.length, 1);
        assert.deepEqual((submissions[0] as { body?: { imageObjectKeys?: string[] } }).body?.imageObjectKeys, [upload!.objectKey]);
        api.panel.clearReferences();
      });

      it('refuses a request over the daily credit limit, and sends nothing', async () => {
        const api = await testing();
        let asked = false;
        api.setConfirm(async () => (asked = true));
        const config = vscode.workspace.getConfiguration('creatok');
        await config.update('dailyCreditLimit', 1, vscode.ConfigurationTarget.Global);
        try {
          const { result, views } = await generate(form('A very expensive castle'));
          assert.equal(result.kind, 'overLimit');
          assert.ok(result.kind === 'overLimit');
          assert.match(result.message.message, /daily limit of 1 credits/);
          assert.ok(views.some((v) => v.phase === 'notStarted'), 'the panel says so');
          assert.equal(asked, false, 'no confirmation');
          assert.equal((await standIn.submissions()).length, 0);
        } finally {
          await config.update('dailyCreditLimit', undefined, vscode.ConfigurationTarget.Global);
        }
      });

      it('refuses a request over the monthly credit limit, counting this session\'s runs from the spend ledger', async () => {
        const api = await testing();
        let asked = false;
        api.setConfirm(async () => (asked = true));
        const config = vscode.workspace.getConfiguration('creatok');
        // Earlier tests of this session spent at least 2 credits this month.
        await config.update('monthlyCreditLimit', 3, vscode.ConfigurationTarget.Global);
        try {
          const { result } = await generate(form('A very expensive castle', { resolution: '4K' }));
          assert.ok(result.kind === 'overLimit', result.kind);
          assert.match(result.message.message, /monthly limit of 3 credits \(\d+ used this month\)/);
          assert.equal(asked, false, 'no confirmation');
          assert.equal((await standIn.submissions()).length, 0);
        } finally {
          await config.update('monthlyCreditLimit', undefined, vscode.ConfigurationTarget.Global);
        }
      });

      it('says in its own words why spending cannot be counted (a ledger that is not JSON), asks nothing and sends nothing', async () => {
        const api = await testing();
        let asked = false;
        api.setConfirm(async () => (asked = true));
        const config = vscode.workspace.getConfiguration('creatok');
        const before = existsSync(api.ledgerFile) ? readFileSync(api.ledgerFile) : undefined;
        await config.update('dailyCreditLimit', 1000, vscode.ConfigurationTarget.Global);
        writeFileSync(api.ledgerFile, '{ this is not json');
        try {
          const { result } = await generate(form('A castle on a hill'));
          assert.ok(result.kind === 'overLimit', result.kind);
          assert.match(result.message.message, /could not be counted/);
          assert.equal(result.message.hint, `The spend ledger ${api.ledgerFile} is not valid JSON.`, 'the words of the VS Code layer (translated), not the core\'s');
          assert.equal(asked, false, 'no confirmation');
          assert.equal((await standIn.submissions()).length, 0);
          assert.equal(readFileSync(api.ledgerFile, 'utf8'), '{ this is not json', 'left as it was while a limit is set');
        } finally {
          if (before) writeFileSync(api.ledgerFile, before);
          else rmSync(api.ledgerFile, { force: true });
          await config.update('dailyCreditLimit', undefined, vscode.ConfigurationTarget.Global);
        }
      });

      it('exports every ledger entry as CSV ("Export Spending as CSV" with a target, no dialog)', async () => {
        const target = vscode.Uri.file(join(workspaceRoot(), 'spending.csv'));
        await vscode.commands.executeCommand('creatok.spending.exportCsv', target);
        const lines = readFileSync(target.fsPath, 'utf8').trimEnd().split('\r\n');
        assert.match(lines[0]!, /^time,local_day,workspace_folder,run_id,task_id,model/);
        const runs = readdirSync(join(workspaceRoot(), 'generate-image', '.artifacts')).filter((n) => !n.startsWith('.'));
        const accepted = lines.filter((l) => l.includes(',accepted,'));
        assert.ok(accepted.length >= 2, lines.join('\n'));
        for (const line of accepted) assert.ok(runs.some((r) => line.includes(`,${r},`)), `a run folder of this workspace: ${line}`);
        assert.ok(lines.some((l) => l.includes(',refused,0,')), 'the refused (401) submit is listed and counts 0');
      });

      it('opens the panel with the workspace\'s last model, resolution, aspect ratio and count', async () => {
        const api = await testing();
        api.setConfirm(async () => false);
        await api.panel.generate(form('A kite over the sea', { model: 'nano-banana-pro', resolution: '4K', aspectRatio: '16:9', n: 2 }));
        const init = await api.panel.initMessage();
        assert.ok(init.type === 'init');
        assert.deepEqual(
          { model: init.form?.model, resolution: init.form?.resolution, aspectRatio: init.form?.aspectRatio, n: init.form?.n },
          { model: 'nano-banana-pro', resolution: '4K', aspectRatio: '16:9', n: 2 },
        );
      });
    });

    describe('language-model tools', () => {
      let lastResult: vscode.LanguageModelToolResult | undefined;
      /** The tool's JSON (its first text part); the whole result stays in `lastResult`. */
      const invoke = async (name: string, input: object): Promise<Record<string, unknown>> => {
        const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
        lastResult = result;
        const first = result.content[0];
        assert.ok(first instanceof vscode.LanguageModelTextPart, 'the description comes first');
        return JSON.parse(first.value) as Record<string, unknown>;
      };

      it('registers both tools', () => {
        const names = vscode.lm.tools.map((t) => t.name);
        assert.ok(names.includes('creatok_generate_image'), names.join(', '));
        assert.ok(names.includes('creatok_check_image_task'));
      });

      it('generate: a declined confirmation sends nothing and says "not generated"', async () => {
        const api = await testing();
        let asked = 0;
        let detail = '';
        api.setConfirm(async (_request, _references, context) => (asked++, (detail = context.text.detail), false));
        const out = await invoke('creatok_generate_image', { prompt: 'A product shot of a glass bottle on a marble table, studio lighting' });
        assert.equal(out.status, 'not_generated');
        assert.equal(asked, 1, 'the extension asked');
        assert.ok(detail.split('\n')[0]!.startsWith('Estimated cost: '), `the cost comes first: ${detail}`);
        assert.ok(detail.split('\n')[1]!.startsWith('Requested by a chat agent (tool creatok_generate_image).'), detail);
        assert.ok(detail.includes('Prompt: "A product shot of a glass bottle on a marble table, studio lighting"'), detail);
        assert.equal((await standIn.submissions()).length, 0);
      });

      it('generate: an accepted confirmation returns the URLs exactly as the stand-in gave them, the files and the folder', async () => {
        const api = await testing();
        let model = '';
        api.setConfirm(async (request) => ((model = request.model), true));
        const out = await invoke('creatok_generate_image', { prompt: 'A product shot of a glass bottle on a marble table, studio lighting', count: 2 });
        assert.equal(out.status, 'succeeded');
        assert.equal(model, 'nano-banana-pro', 'recommended from the use case');
        const tasks = await standIn.tasks();
        assert.equal(tasks.length, 1);
        assert.equal(out.task_id, tasks[0]!.taskId);
        const res = await fetch(`${process.env.CREATOK_TEST_STANDIN_URL}/api/open/skills/tasks/status?task_id=${tasks[0]!.taskId}&task_type=image_generation`, {
          headers: { Authorization: `Bearer ${process.env.CREATOK_API_KEY}` },
        });
        const answer = (await res.json()) as { data: { result: { images: { url: string }[] } } };
        assert.deepEqual(out.images, answer.data.result.images.map((i) => i.url));
        const files = out.local_files as string[];
        assert.equal(files.length, 2);
        for (const f of files) assert.ok(existsSync(f), f);
        assert.ok(existsSync(String(out.run_folder)));
        // The agent sees what it made: each image as an image part, beside its workspace-relative path.
        const images = lastResult!.content.filter((p): p is vscode.LanguageModelDataPart => p instanceof vscode.LanguageModelDataPart);
        assert.equal(images.length, 2);
        images.forEach((part, i) => {
          assert.equal(part.mimeType, 'image/png');
          assert.deepEqual(Buffer.from(part.data), readFileSync(files[i]!), `image ${i + 1}: the bytes saved on disk`);
        });
        const named = lastResult!.content.filter((p): p is vscode.LanguageModelTextPart => p instanceof vscode.LanguageModelTextPart).map((p) => p.value);
        for (const relative of out.workspace_files as string[]) {
          assert.ok(!relative.startsWith('/') && relative.startsWith('generate-image/'), relative);
          assert.ok(named.some((t) => t.includes(relative)), `${relative} named beside its image`);
        }
      });

      it('check: returns the state of a task without any cost, and writes its run folder', async () => {
        const created = await standIn.createTask({ prompt: 'elsewhere', model: 'nano-banana-2', resolution: '2K', n: 1, taskMs: 60_000 });
        const out = await invoke('creatok_check_image_task', { taskId: created.task_id });
        assert.ok(['queued', 'running'].includes(String(out.status)), String(out.status));
        assert.equal(out.task_id, created.task_id);
        assert.ok(existsSync(String(out.run_folder)));
        assert.equal((await standIn.submissions()).length, 0);
        const unknown = await invoke('creatok_check_image_task', { taskId: 'task_does_not_exist' });
        assert.equal(unknown.status, 'notFound');
      });
    });

    it('explains a failed task in plain words', async () => {
      const api = await testing();
      api.setConfirm(async () => true);
      const g = await generate(form('A cat [fail]'));
      const end = await g.ended();
      assert.equal(end.reason, 'failed');
      const shown = toRunView(end.run, endMessage(end.reason, end.run.record, end.error));
      assert.equal(shown.phase, 'failed');
      assert.match(shown.message, /could not be generated/);
      assert.ok(shown.hint && shown.hint.length > 0, 'a next step is offered');
    });

    it('Insert finds the document tab behind a webview when no text editor was active since the extension started', async () => {
      const api = await testing();
      const [image] = await api.images.allImages();
      assert.ok(image, 'an image generated by an earlier test');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const file = join(workspaceRoot(), 'behind-a-webview.md');
      writeFileSync(file, '# Behind a webview\n\n');
      const document = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(document, { preview: false });
      // A webview over it in the same group, then actions that never saw a text editor active.
      const webview = vscode.window.createWebviewPanel('creatok.test', 'A webview', vscode.ViewColumn.Active, {});
      await until('the webview to be the active tab', () => (vscode.window.activeTextEditor ? undefined : true), 10_000);
      const actions = new ImageActions(api.tasksView.index, api.runs, () => '', silentLogger);
      try {
        assert.equal(await actions.insert(image), true);
        assert.match(document.getText(), /!\[[^\]]*\]\([^)]+\.png\)/, 'the link is in the document behind the webview');
      } finally {
        actions.dispose();
        webview.dispose();
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
    });

    it('a Tasks view action that reaches its command without its run (the list was being listed again) asks which run, and acts on the one picked', async () => {
      const api = await testing();
      api.setConfirm(async () => true);
      const g = await generate(form('A lighthouse for the question which run'));
      const end = await g.ended();
      const taskId = end.run.record.task_id;
      assert.ok(taskId);
      // A newer run without a task id (refused before CreatOK took it): the question skips it,
      // as its row offers no Copy Task ID, so the run above is the first it lists.
      await standIn.configure({ apiKey: 'ok_some_other_key' });
      const refused = await generate(form('A teapot the question skips'));
      assert.ok(refused.result.kind === 'submitFailed' && !refused.result.run.record.task_id);
      await standIn.reset();
      const artifacts = join(workspaceRoot(), 'generate-image', '.artifacts');
      assert.deepEqual(readdirSync(artifacts).sort().reverse().slice(0, 2), [refused.result.run.record.run_id, end.run.record.run_id]);
      await vscode.env.clipboard.writeText('before');
      // What VS Code passes when it no longer knows the clicked row: no argument.
      let done = false;
      const command = Promise.resolve(vscode.commands.executeCommand('creatok.tasks.copyTaskId')).finally(() => (done = true));
      // The question "which run?", answered with its first run once it is shown.
      for (const deadline = Date.now() + 20_000; !done && Date.now() < deadline; ) {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(done, 'the question was shown and answered');
      await command;
      assert.equal(await vscode.env.clipboard.readText(), taskId);
    });
  });
}
