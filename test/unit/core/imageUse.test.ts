import assert from 'node:assert/strict';
import { altText, imageMarkup, markupKindOf, nameFromPrompt, recentPrompts, relativeImagePath, uniqueFileName } from '../../../src/core/imageUse';
import { newRunRecord } from '../../../src/core/runs/lifecycle';
import type { RunRecord } from '../../../src/core/runs/record';

const request = { prompt: 'a fox', model: 'nano-banana-2', modelLabel: 'Nano Banana 2', resolution: '2K', aspectRatio: '1:1', n: 1, estimatedCredits: 2, currency: 'credits' };

describe('inserting a generated image', () => {
  it('makes paths relative to the document with forward slashes, also across folders and with spaces', () => {
    assert.equal(relativeImagePath('/w/docs', '/w/docs/img.png', '/'), 'img.png');
    assert.equal(relativeImagePath('/w/docs/guide', '/w/generate-image/.artifacts/r/outputs/images/image_1.png', '/'), '../../generate-image/.artifacts/r/outputs/images/image_1.png');
    assert.equal(relativeImagePath('/w/my docs', '/w/my images/a b.png', '/'), '../my images/a b.png');
    assert.equal(relativeImagePath('C:\\w\\docs', 'C:\\w\\assets\\x.png', '\\'), '../assets/x.png', 'Windows separators');
  });
  it('writes Markdown, HTML or a plain path, escaped', () => {
    assert.equal(markupKindOf('markdown'), 'markdown');
    assert.equal(markupKindOf('html'), 'html');
    assert.equal(markupKindOf('python'), 'plain');
    assert.equal(imageMarkup('markdown', 'images/a.png', 'A red fox'), '![A red fox](images/a.png)');
    assert.equal(imageMarkup('markdown', '../my images/a (1).png', 'x'), '![x](<../my images/a (1).png>)');
    assert.equal(imageMarkup('markdown', 'a.png', 'a [link](x) *bold*'), '![a \\[link\\](x) \\*bold\\*](a.png)');
    assert.equal(imageMarkup('html', 'a "b".png', 'fish & <chips>'), '<img src="a &quot;b&quot;.png" alt="fish &amp; &lt;chips&gt;" />');
    assert.equal(imageMarkup('plain', 'a.png', 'x'), 'a.png');
  });
  it('takes a short one-line alt text from the prompt', () => {
    assert.equal(altText('  A fox\n in the   snow '), 'A fox in the snow');
    const long = altText('word '.repeat(40), 30);
    assert.ok(long.length <= 31 && long.endsWith('…'), long);
    assert.equal(altText(''), 'Generated image');
  });
});

describe('saving a generated image under a name from its prompt', () => {
  it('uses lowercase words joined by "-", at most 60 characters, never a path', () => {
    assert.equal(nameFromPrompt('A Red Fox, in the snow!'), 'a-red-fox-in-the-snow');
    assert.equal(nameFromPrompt('../../etc/passwd'), 'etc-passwd');
    assert.equal(nameFromPrompt('Café crème brûlée'), 'cafe-creme-brulee');
    assert.equal(nameFromPrompt('一只在雪地里的狐狸'), '一只在雪地里的狐狸');
    assert.equal(nameFromPrompt('***'), 'image');
    const long = nameFromPrompt('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor');
    assert.ok(long.length <= 60 && !long.endsWith('-'), long);
    assert.ok(!/[\\/]/.test(nameFromPrompt('a/b\\c')));
  });
  it('de-duplicates with -2, -3', () => {
    const taken = new Set(['fox.png', 'fox-2.png']);
    assert.equal(uniqueFileName('fox', '.png', (n) => taken.has(n)), 'fox-3.png');
    assert.equal(uniqueFileName('cat', '.png', (n) => taken.has(n)), 'cat.png');
  });
});

describe('recent prompts', () => {
  const run = (at: Date, fields: Partial<RunRecord> = {}): RunRecord => ({ ...newRunRecord(request, at), task_id: 'task_1', status: 'succeeded', ...fields });
  it('lists the recent distinct prompts, newest first', () => {
    const records = [run(new Date(2026, 1, 1), { prompt: 'old' }), run(new Date(2026, 1, 3), { prompt: 'new' }), run(new Date(2026, 1, 2), { prompt: 'new' }), run(new Date(2026, 1, 4), { prompt: '' })];
    assert.deepEqual(recentPrompts(records), ['new', 'old']);
  });
});
