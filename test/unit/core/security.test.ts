// The rules that keep a stranger's repository from acting on its own: URLs, the base URL, the
// key's characters, records read from disk, paths that must stay inside their folders.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreatOkClient, normalizeBaseUrl } from '../../../src/core/api/client';
import { CreatOkError } from '../../../src/core/api/errors';
import { resolveInsideFolders } from '../../../src/core/references';
import { ImagesFolderError, resolveImagesFolder } from '../../../src/core/runs/copies';
import { newRunRecord } from '../../../src/core/runs/lifecycle';
import { renderResultMarkdown, type RunRecord } from '../../../src/core/runs/record';
import { newRunId } from '../../../src/core/runs/runId';
import { ArtifactStore, recordProblem, UnsafePathError } from '../../../src/core/runs/store';
import { checkBaseUrl, checkUrl, isAllowedUrl, isHeaderSafe } from '../../../src/core/urlPolicy';

const request = { prompt: 'a fox', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '1:1', n: 1, estimatedCredits: 2, currency: 'credits' };

describe('URL policy', () => {
  it('allows https: anywhere and http: only to this machine', () => {
    for (const url of ['https://cdn.creatok.ai/a.png?sig=1', 'http://127.0.0.1:8080/x', 'http://localhost/x', 'http://[::1]:3000/x']) assert.ok(isAllowedUrl(url), url);
  });
  it('refuses every other scheme and plain http: to other hosts', () => {
    const refused: [string, string][] = [
      ['command:workbench.action.quit', 'scheme'],
      ['vscode://vscode.git/clone?url=https://evil.example/x', 'scheme'],
      ['file:///etc/passwd', 'scheme'],
      ['javascript:alert(1)', 'scheme'],
      ['data:image/png;base64,AAAA', 'scheme'],
      ['http://example.com/a.png', 'plainHttp'],
      ['http://127.0.0.1.evil.example/a.png', 'plainHttp'],
      ['not a url', 'invalid'],
    ];
    for (const [url, problem] of refused) assert.deepEqual(checkUrl(url), { ok: false, problem }, url);
  });
  it('sends the key only to an https: base URL (or http: on this machine), without user:password', () => {
    assert.equal(normalizeBaseUrl('https://www.creatok.ai/some/path'), 'https://www.creatok.ai');
    assert.equal(normalizeBaseUrl('http://127.0.0.1:4010'), 'http://127.0.0.1:4010');
    for (const bad of ['http://api.creatok.ai', 'ftp://creatok.ai', 'https://user:pw@creatok.ai', 'file:///tmp']) {
      assert.equal(checkBaseUrl(bad).ok, false, bad);
      assert.throws(() => normalizeBaseUrl(bad), /refused/, bad);
      assert.throws(() => new CreatOkClient({ baseUrl: bad, apiKey: () => 'ok_key' }), /refused/, bad);
    }
  });
});

describe('API key characters', () => {
  it('accepts what a header can carry, refuses spaces, zero-width and non-ASCII characters', () => {
    assert.ok(isHeaderSafe('ok_live_AbC123-._~'));
    for (const bad of ['ok key', 'ok_key\u200b', 'ok_kéy', 'ok_key\n', '']) assert.equal(isHeaderSafe(bad), false, JSON.stringify(bad));
  });
  it('never sends a key a header cannot carry, and says it was never sent (not "maybe accepted")', async () => {
    let fetched = 0;
    const client = new CreatOkClient({
      baseUrl: 'https://www.creatok.ai',
      apiKey: () => 'ok_key\u200b',
      fetch: (async () => {
        fetched++;
        throw new Error('must not be called');
      }) as never,
    });
    await assert.rejects(
      client.submit({ prompt: 'x', model: 'm', resolution: '2K', n: 1 }),
      (e: CreatOkError) => e.kind === 'unauthorized' && e.details.mayHaveReachedServer === false,
    );
    assert.equal(fetched, 0);
  });
});

describe('records read from a workspace', () => {
  let dir: string;
  let store: ArtifactStore;
  const base = (): RunRecord => ({ ...newRunRecord(request, new Date()), task_id: 'task_ok-1', status: 'queued' });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'creatok-sec-'));
    store = new ArtifactStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Plants a folder and a result.json as a cloned repository could. */
  function plant(folder: string, record: unknown): void {
    mkdirSync(join(dir, 'generate-image', '.artifacts', folder, 'outputs'), { recursive: true });
    writeFileSync(join(dir, 'generate-image', '.artifacts', folder, 'outputs', 'result.json'), JSON.stringify(record));
  }

  it('a record must name its own folder, carry a real task id, and list local images inside images/', () => {
    const r = base();
    assert.equal(recordProblem(r, r.run_id), undefined);
    assert.match(recordProblem(r, newRunId()) ?? '', /names another run/);
    assert.match(recordProblem({ ...r, task_id: '../../x' }, r.run_id) ?? '', /task id/);
    assert.match(recordProblem({ ...r, task_id: 'task 1' }, r.run_id) ?? '', /task id/);
    for (const bad of ['../../../../etc/passwd', '/etc/passwd', 'images/../../x.png', 'images/.hidden', 'outputs/result.json']) {
      assert.match(recordProblem({ ...r, local_images: [bad] }, r.run_id) ?? '', /local image/, bad);
    }
    assert.equal(recordProblem({ ...r, local_images: ['images/image_1.png', null] }, r.run_id), undefined);
  });

  it('lists only folders named like run ids, and reads a bad record as unreadable without hiding the others', async () => {
    const good = base();
    await store.write(good);
    const foreign = base();
    plant(foreign.run_id, { ...foreign, run_id: newRunId(new Date(0)) });
    plant('..hidden', base());
    plant('not-a-run', base());
    const ids = await store.listRunIds();
    assert.deepEqual(ids.sort(), [good.run_id, foreign.run_id].sort());
    assert.ok((await store.read(good.run_id)).ok);
    const bad = await store.read(foreign.run_id);
    assert.ok(!bad.ok && bad.reason === 'invalid' && /names another run/.test(bad.message));
    assert.throws(() => store.runDir('../../etc'), /Not a run id/);
  });

  it('neither reads, writes nor downloads into a symlinked run folder or images folder', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'creatok-outside-'));
    try {
      const linked = base();
      mkdirSync(join(dir, 'generate-image', '.artifacts'), { recursive: true });
      symlinkSync(outside, join(dir, 'generate-image', '.artifacts', linked.run_id));
      const read = await store.read(linked.run_id);
      assert.ok(!read.ok && /symbolic link/.test(read.message));
      await assert.rejects(store.write(linked), UnsafePathError);
      const r = base();
      await store.write(r);
      symlinkSync(outside, join(store.outputsDir(r.run_id), 'images'));
      await assert.rejects(store.ensureRunFolder(r.run_id, 'images'), UnsafePathError);
      assert.equal(existsSync(join(outside, 'outputs')), false, 'nothing written outside');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('opens a local image only when it really is a file in the run\'s images folder', async () => {
    const r = base();
    await store.write(r);
    const images = await store.ensureRunFolder(r.run_id, 'images');
    writeFileSync(join(images, 'image_1.png'), 'png');
    symlinkSync('/etc/hostname', join(images, 'image_2.png'));
    assert.equal(await store.localImagePath(r.run_id, 'images/image_1.png'), join(images, 'image_1.png'));
    assert.equal(await store.localImagePath(r.run_id, 'images/image_2.png'), undefined, 'a link out of the folder');
    assert.equal(await store.localImagePath(r.run_id, '../../../../etc/passwd'), undefined);
    assert.equal(await store.localImagePath(r.run_id, 'images/missing.png'), undefined);
  });

  it('never parses a planted record over 1 MB, nor one that is not a regular file', async () => {
    const big = base();
    plant(big.run_id, { ...big, padding: 'x'.repeat(1_100_000) });
    const read = await store.read(big.run_id);
    assert.ok(!read.ok && read.reason === 'tooLarge');
    const fifo = base();
    mkdirSync(join(store.outputsDir(fifo.run_id)), { recursive: true });
    symlinkSync('/dev/zero', store.resultJsonPath(fifo.run_id));
    const zero = await store.read(fifo.run_id);
    assert.ok(!zero.ok && zero.reason === 'unreadable');
  });

  it('result.md escapes what it quotes and links only https: images', () => {
    const r: RunRecord = {
      ...base(),
      status: 'succeeded',
      prompt: 'see [here](command:workbench.action.quit) <img src=x>',
      images: ['https://cdn.example/a.png', 'command:workbench.action.quit', 'https://cdn.example/b.png>)[x](command:evil'],
    };
    const md = renderResultMarkdown(r);
    // URLs are quoted verbatim only inside ~~~~ fences (code, never a link).
    const outsideFences = md.replace(/~~~~text\n[^\n]*\n~~~~/g, '');
    assert.ok(!/\]\(<?command:/.test(outsideFences), md);
    assert.match(md, /!\[Image 1\]\(<https:\/\/cdn\.example\/a\.png>\)/);
    assert.match(md, /This address is not an https: link/);
    assert.match(md, /!\[Image 3\]\(<https:\/\/cdn\.example\/b\.png%3E%29%5Bx%5D%28command:evil>\)/, 'the link target is percent-encoded');
  });
});

describe('links a cloned repository plants where the extension writes', () => {
  let dir: string;
  let outside: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'creatok-links-'));
    outside = mkdtempSync(join(tmpdir(), 'creatok-outside-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('a generate-image folder that is a link: nothing listed, read, locked or created through it', async () => {
    symlinkSync(outside, join(dir, 'generate-image'));
    const store = new ArtifactStore(dir);
    assert.deepEqual(await store.listRunIds(), []);
    await assert.rejects(store.withRootLock(async () => 'in'), UnsafePathError);
    await assert.rejects(store.write({ ...newRunRecord(request, new Date()) }), UnsafePathError);
    assert.deepEqual(readdirSync(outside), [], 'nothing created outside');
  });

  it('a planted .lock that is a link to /dev/zero is moved aside, never read', async () => {
    mkdirSync(join(dir, 'generate-image', '.artifacts'), { recursive: true });
    symlinkSync('/dev/zero', join(dir, 'generate-image', '.artifacts', '.lock'));
    const store = new ArtifactStore(dir);
    assert.equal(await store.withRootLock(async () => 'in'), 'in');
  });

  it('creatok.imagesFolder through a link copies nothing and creates nothing outside', async () => {
    symlinkSync(outside, join(dir, 'assets'));
    await assert.rejects(resolveImagesFolder(dir, 'assets/images'), ImagesFolderError);
    await assert.rejects(resolveImagesFolder(dir, '../elsewhere'), ImagesFolderError);
    assert.deepEqual(readdirSync(outside), []);
    assert.equal(await resolveImagesFolder(dir, 'docs/img'), join(dir, 'docs', 'img'));
  });

  it('result.md never lets a plain address in a prompt become a link', () => {
    const md = renderResultMarkdown({ ...newRunRecord({ ...request, prompt: 'see http://evil.example and www.evil.example or mailto:x@y.z' }, new Date()) });
    assert.ok(!/http:\/\/evil/.test(md) && !/www\.evil/.test(md) && !/mailto:x@/.test(md), md);
  });
});

describe('paths given by a chat agent', () => {
  let root: string;
  let workspace: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'creatok-paths-'));
    workspace = join(root, 'workspace');
    mkdirSync(join(workspace, 'refs'), { recursive: true });
    writeFileSync(join(workspace, 'refs', 'mug.png'), 'x');
    writeFileSync(join(root, 'passport.png'), 'secret');
    symlinkSync(join(root, 'passport.png'), join(workspace, 'refs', 'link.png'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('resolves a relative path inside the workspace', async () => {
    assert.deepEqual(await resolveInsideFolders('refs/mug.png', [workspace]), { ok: true, file: join(workspace, 'refs', 'mug.png') });
  });
  it('refuses ../, absolute paths and links that leave the workspace', async () => {
    assert.deepEqual(await resolveInsideFolders('../passport.png', [workspace]), { ok: false, reason: 'outside' });
    assert.deepEqual(await resolveInsideFolders(join(root, 'passport.png'), [workspace]), { ok: false, reason: 'outside' });
    assert.deepEqual(await resolveInsideFolders('refs/link.png', [workspace]), { ok: false, reason: 'outside' });
    assert.deepEqual(await resolveInsideFolders('refs/none.png', [workspace]), { ok: false, reason: 'missing' });
    assert.ok(readFileSync(join(root, 'passport.png'), 'utf8'));
  });
});
