// Images that become the project's own files: where the copy goes (markdown.copyFiles.destination
// rules with their variables, creatok.imagesFolder, the document's folder, images/ for an
// untitled document), and the copy: named from the prompt, -2 when taken, an equal copy reused,
// refused outside the workspace, in .git and through a linked folder, with nothing written.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchoredGlob, copyTarget, CopyRefusedError, expandDestination, placeProjectCopy, type CopyRuleInput } from '../../../src/core/projectCopies';

/** A small glob matcher for the tests' rules only (the extension uses VS Code's). */
const globMatch = (glob: string, file: string): boolean =>
  new RegExp(`^${glob.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '(?:.*/)?')}$`).test(file);

describe('where a project copy goes', () => {
  const ws = '/work/site';
  const base = (fields: Partial<CopyRuleInput>): CopyRuleInput => ({
    documentPath: '/work/site/docs/guide/page.md',
    workspaceFolder: ws,
    rules: {},
    matches: (glob) => globMatch(glob, '/work/site/docs/guide/page.md'),
    imagesFolder: '',
    fileName: 'a-red-fox.png',
    now: new Date(Date.UTC(2026, 11, 1, 8, 0, 0)),
    ...fields,
  });

  it('goes beside the document by default, as VS Code does for pasted images', () => {
    assert.deepEqual(copyTarget(base({})), { file: '/work/site/docs/guide/a-red-fox.png', origin: 'documentFolder' });
  });
  it('follows the first markdown.copyFiles.destination rule that matches the document', () => {
    const rules = { '*.html': 'never/', '**/*.md': '${documentDirName}/media/${fileName}', '*.txt': 'also-never/' };
    assert.deepEqual(copyTarget(base({ rules })), { file: '/work/site/docs/guide/media/a-red-fox.png', origin: 'markdownSetting' });
    // A relative glob matches at any depth; one starting with / is anchored at the workspace folder.
    assert.equal(anchoredGlob('*.md', ws), '**/*.md');
    assert.equal(anchoredGlob('/docs/**/*.md', ws), '/work/site/docs/**/*.md');
    assert.equal(copyTarget(base({ rules: { '/docs/**/*.md': '/assets/' } })).file, '/work/site/assets/a-red-fox.png', 'a destination starting with / is under the workspace; one ending with / gets the file name');
    assert.equal(copyTarget(base({ rules: { '/other/**': '/assets/' } })).origin, 'documentFolder', 'an anchored rule elsewhere does not apply');
    assert.equal(copyTarget(base({ rules: { '**/*.md': 'img/${documentBaseName}-${fileName}' } })).file, '/work/site/docs/guide/img/page-a-red-fox.png', 'relative to the document');
  });
  it('expands every variable, a transform, and \\$', () => {
    const expanded = expandDestination(
      '${documentRelativeDirName}|${documentFileName}|${documentExtName}|${documentRelativeFilePath}|${documentWorkspaceFolder}|${fileExtName}|${unixTime}|${isoTime}|${documentBaseName/a/A/}|\\${fileName}|${unknown}',
      '/work/site/docs/guide/page.md',
      ws,
      'a-red-fox.png',
      new Date(Date.UTC(2026, 11, 1, 8, 0, 0)),
    );
    assert.equal(expanded, `docs/guide|page.md|md|docs/guide/page.md|/work/site|png|${Date.UTC(2026, 11, 1, 8)}|2026-12-01T08:00:00.000Z|pAge|\${fileName}|\${unknown}`);
  });
  it('uses creatok.imagesFolder when no rule applies, and images/ at the workspace root for an untitled document', () => {
    assert.deepEqual(copyTarget(base({ imagesFolder: 'assets/images' })), { file: '/work/site/assets/images/a-red-fox.png', origin: 'imagesFolder' });
    assert.deepEqual(copyTarget(base({ documentPath: undefined })), { file: '/work/site/images/a-red-fox.png', origin: 'workspaceImages' });
    assert.deepEqual(copyTarget(base({ documentPath: undefined, imagesFolder: 'art', rules: { '**': 'x/' } })), { file: '/work/site/art/a-red-fox.png', origin: 'imagesFolder' });
  });
});

describe('placing a project copy', () => {
  let root: string;
  let ws: string;
  let source: string;
  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'creatok-copy-')));
    ws = join(root, 'ws');
    mkdirSync(join(ws, 'docs'), { recursive: true });
    source = join(root, 'image_1.png');
    writeFileSync(source, Buffer.from('\x89PNG fox'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('copies the bytes, creating the folders; reuses an equal copy; takes -2 beside a different file', async () => {
    const first = await placeProjectCopy(source, join(ws, 'docs', 'media', 'fox.png'), ws);
    assert.deepEqual(first, { file: join(ws, 'docs', 'media', 'fox.png'), reused: false });
    assert.deepEqual(readFileSync(first.file), readFileSync(source));
    assert.deepEqual(await placeProjectCopy(source, join(ws, 'docs', 'media', 'fox.png'), ws), { ...first, reused: true }, 'the same image again: no new file');
    const other = join(root, 'other.png');
    writeFileSync(other, Buffer.from('\x89PNG cat'));
    const second = await placeProjectCopy(other, join(ws, 'docs', 'media', 'fox.png'), ws);
    assert.deepEqual(second, { file: join(ws, 'docs', 'media', 'fox-2.png'), reused: false });
    assert.deepEqual(await placeProjectCopy(other, join(ws, 'docs', 'media', 'fox.png'), ws), { ...second, reused: true }, 'an equal copy under -2 is found too');
    assert.deepEqual(readdirSync(join(ws, 'docs', 'media')).sort(), ['fox-2.png', 'fox.png']);
    assert.deepEqual(readFileSync(join(ws, 'docs', 'media', 'fox.png')), readFileSync(source), 'never overwritten');
  });

  it('refuses a target outside the workspace, inside .git, or through a linked folder, writing nothing', async () => {
    const outside = join(root, 'elsewhere');
    mkdirSync(outside);
    symlinkSync(outside, join(ws, 'linked'));
    mkdirSync(join(ws, '.git'));
    for (const [target, reason] of [
      [join(root, 'elsewhere', 'fox.png'), 'outside'],
      [join(ws, '..', 'fox.png'), 'outside'],
      [join(ws, '.git', 'hooks', 'fox.png'), 'git'],
      [join(ws, 'linked', 'fox.png'), 'link'],
      [join(ws, 'linked', 'deeper', 'fox.png'), 'link'],
    ] as const) {
      await assert.rejects(placeProjectCopy(source, target, ws), (e: unknown) => e instanceof CopyRefusedError && e.reason === reason, `${target}: ${reason}`);
    }
    assert.deepEqual(readdirSync(outside), [], 'nothing written through the link');
    assert.ok(!existsSync(join(ws, '.git', 'hooks')));
    assert.ok(!existsSync(join(root, 'fox.png')));
  });

  it('works when the workspace folder itself is reached through a link', async () => {
    const alias = join(root, 'alias');
    symlinkSync(ws, alias);
    const placed = await placeProjectCopy(source, join(alias, 'docs', 'fox.png'), alias);
    assert.equal(placed.file, join(alias, 'docs', 'fox.png'));
    assert.ok(existsSync(join(ws, 'docs', 'fox.png')));
  });
});
