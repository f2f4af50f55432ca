// The CreatOK Gallery's script (dist/gallery.js) in a jsdom window, as VS Code runs it, against a
// stand-in host: it asks for tiles, renders them as text, says the count, narrows as you type,
// moves between tiles with the arrows, opens with Enter, and offers no Insert in Restricted Mode.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';

type Posted = { type: string; requestId?: number; [key: string]: unknown };

const tile = (i: number, fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  key: `k${i}`,
  index: 0,
  src: `https://file+.vscode-resource.vscode-cdn.net/ws/image_${i}.png`,
  prompt: `A fox number ${i} <b>bold</b>`,
  model: 'nano-banana-2',
  resolution: '2K',
  age: '2 min ago',
  credits: 2,
  state: 'succeeded',
  ...fields,
});

describe('the gallery in a DOM (dist/gallery.js in jsdom)', () => {
  let dom: JSDOM;
  let posted: Posted[];
  const doc = (): Document => dom.window.document;
  const send = (data: unknown): void => void dom.window.dispatchEvent(new dom.window.MessageEvent('message', { data }));
  const last = (type: string): Posted => [...posted].reverse().find((m) => m.type === type)!;
  const strings = { title: 'CreatOK Gallery', search: 'Search prompts', count: '{0} of {1} images', none: 'No image matches.', open: 'Open', insert: 'Insert', copyMarkdown: 'Copy Markdown Link', reveal: 'Reveal in Explorer', saveAs: 'Save As…', vary: 'Vary', useAsReference: 'Use as Reference Image', delete: 'Delete Run…', tileLabel: 'Image {0} of "{1}"', select: 'Select {0} to compare', selectShort: 'Select', compare: 'Compare ({0})', compareTitle: 'Compare', back: 'Back to the gallery', failedTile: 'Not generated: {0}', credits: '{0} credits', all: 'All', today: 'Today', week: 'This week', more: 'Show more' };

  function start(readOnly: boolean): void {
    dom = new JSDOM('<!DOCTYPE html><body><main id="gallery" aria-busy="true"></main></body>', { runScripts: 'outside-only' });
    posted = [];
    Object.assign(dom.window, { acquireVsCodeApi: () => ({ postMessage: (m: never) => posted.push(m), getState: () => undefined, setState: () => undefined }) });
    dom.window.eval(readFileSync(join(process.cwd(), 'dist', 'gallery.js'), 'utf8'));
    assert.equal(posted[0]?.type, 'ready');
    send({ type: 'init', strings, models: ['nano-banana-2', 'nano-banana-pro'], readOnly });
  }
  afterEach(() => dom.window.close());

  it('renders the tiles it is sent as text, says the count, and asks again as you type', () => {
    start(false);
    const query = last('query');
    send({ type: 'results', requestId: query.requestId, tiles: [tile(1), tile(2), tile(3, { src: '', state: 'failed', reason: 'content policy' })], matched: 3, total: 340, more: false });
    const tiles = [...doc().querySelectorAll('li.tile')];
    assert.equal(tiles.length, 3);
    assert.equal(doc().querySelectorAll('li.tile b').length, 0, 'server text is never HTML');
    assert.equal(tiles[2]!.textContent!.includes('Not generated: content policy'), true);
    assert.equal(doc().querySelector('.count')!.textContent, '3 of 340 images');
    assert.equal(doc().querySelector('.count')!.getAttribute('aria-live'), 'polite');
    assert.equal(tiles[0]!.getAttribute('aria-label'), 'Image 1 of "A fox number 1 <b>bold</b>"');
    const search = doc().querySelector('input[type=search]') as HTMLInputElement;
    search.value = 'fox 2';
    search.dispatchEvent(new dom.window.Event('input'));
    const narrowed = last('query');
    assert.equal((narrowed.query as { text: string }).text, 'fox 2');
    // An answer to the older query arrives late: it is not shown over the newer one.
    send({ type: 'results', requestId: query.requestId, tiles: [tile(9)], matched: 1, total: 340, more: false });
    assert.equal(doc().querySelectorAll('li.tile').length, 3);
    send({ type: 'results', requestId: narrowed.requestId, tiles: [tile(2)], matched: 1, total: 340, more: false });
    assert.equal(doc().querySelectorAll('li.tile').length, 1);
    assert.equal(doc().querySelector('.count')!.textContent, '1 of 340 images');
  });

  it('moves between tiles with the arrows, opens with Enter, focuses the search with Ctrl+F', () => {
    start(false);
    send({ type: 'results', requestId: last('query').requestId, tiles: [tile(1), tile(2), tile(3)], matched: 3, total: 3, more: false });
    const tiles = [...doc().querySelectorAll<HTMLLIElement>('li.tile')];
    assert.deepEqual(tiles.map((t) => t.tabIndex), [0, -1, -1], 'one tab stop for the grid');
    const tabbable = (): number[] => tiles.map((t) => [...t.querySelectorAll<HTMLElement>('button, input')].filter((c) => c.tabIndex === 0).length);
    assert.deepEqual(tabbable(), [tiles[0]!.querySelectorAll('button, input').length, 0, 0], 'only the tab stop\'s own controls take Tab');
    tiles[0]!.focus();
    tiles[0]!.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    assert.equal(doc().activeElement, tiles[1]);
    assert.deepEqual(tiles.map((t) => t.tabIndex), [-1, 0, -1]);
    assert.deepEqual(tabbable(), [0, tiles[1]!.querySelectorAll('button, input').length, 0]);
    tiles[1]!.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    assert.deepEqual({ ...last('tileAction'), requestId: 0 }, { type: 'tileAction', requestId: 0, key: 'k2', index: 0, action: 'open' });
    tiles[1]!.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'f', ctrlKey: true, bubbles: true }));
    assert.equal(doc().activeElement, doc().querySelector('input[type=search]'));
  });

  it('keeps the focus and the tab stop on the same tile (and button) when a run changes and the grid is drawn anew', () => {
    start(false);
    const answer = (tiles: Record<string, unknown>[]): void => send({ type: 'results', requestId: last('query').requestId, tiles, matched: tiles.length, total: tiles.length, more: false });
    answer([tile(1), tile(2), tile(3)]);
    const second = (): HTMLLIElement => doc().querySelector<HTMLLIElement>('li.tile[data-key="k2"]')!;
    second().focus();
    second().dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true })); // to the third
    doc().querySelector<HTMLLIElement>('li.tile[data-key="k3"]')!.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    assert.equal(doc().activeElement, second());
    send({ type: 'changed' });
    answer([tile(0), tile(1), tile(2), tile(3)]); // a new run came first
    assert.equal(doc().activeElement, second(), 'the focus is on the same tile, now the third');
    assert.deepEqual([...doc().querySelectorAll<HTMLLIElement>('li.tile')].map((t) => t.tabIndex), [-1, -1, 0, -1], 'the grid\'s tab stop moved with it');
    const vary = [...second().querySelectorAll('button')].find((b) => b.textContent === 'Vary')!;
    vary.focus();
    send({ type: 'changed' });
    answer([tile(0), tile(1), tile(2), tile(3)]);
    assert.equal(doc().activeElement?.textContent, 'Vary');
    assert.equal(doc().activeElement?.closest('li'), second(), 'the same button of the same tile');
    send({ type: 'changed' });
    answer([tile(0), tile(1), tile(3)]); // its run was deleted
    assert.equal(doc().activeElement, doc().querySelector('li.tile[tabindex="0"]'), 'a tile that is gone leaves the focus on the grid\'s tab stop');
    // A new search while the focus is in the search box: the tab stop is the first tile again.
    doc().querySelector<HTMLLIElement>('li.tile[data-key="k3"]')!.focus();
    doc().querySelector<HTMLInputElement>('input[type=search]')!.focus();
    send({ type: 'changed' });
    answer([tile(0), tile(1), tile(3)]);
    assert.deepEqual([...doc().querySelectorAll<HTMLLIElement>('li.tile')].map((t) => t.tabIndex), [0, -1, -1]);
  });

  it('compares 2 to 4 picked tiles side by side (box, Ctrl-click or Space), with their models; Escape goes back', () => {
    start(false);
    const thumb = 'https://file+.vscode-resource.vscode-cdn.net/ws/thumb_1.png';
    send({ type: 'results', requestId: last('query').requestId, tiles: [tile(1, { thumb }), tile(2, { model: 'nano-banana-pro' }), tile(3), tile(4, { src: '', state: 'failed', reason: 'x' })], matched: 4, total: 4, more: false });
    assert.deepEqual([...doc().querySelectorAll<HTMLImageElement>('li.tile img')].map((i) => i.getAttribute('src')), [thumb, tile(2).src, tile(3).src], 'a tile shows its thumbnail when it has one');
    const compare = [...doc().querySelectorAll('button')].find((b) => b.textContent?.startsWith('Compare'))!;
    assert.equal(compare.disabled, true, 'nothing picked');
    const tiles = [...doc().querySelectorAll<HTMLLIElement>('li.tile')];
    assert.equal(tiles[3]!.querySelector('input.pick'), null, 'a failed run has no image to compare');
    (tiles[0]!.querySelector('input.pick') as HTMLInputElement).click();
    assert.equal(compare.textContent, 'Compare (1)');
    assert.equal(compare.disabled, true, 'one is not a comparison');
    tiles[1]!.dispatchEvent(new dom.window.MouseEvent('click', { ctrlKey: true, bubbles: true }));
    assert.equal(compare.disabled, false);
    assert.deepEqual(tiles.map((t) => t.classList.contains('selected')), [true, true, false, false]);
    tiles[2]!.focus();
    tiles[2]!.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: ' ', bubbles: true }));
    assert.equal(compare.textContent, 'Compare (3)');
    tiles[2]!.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: ' ', bubbles: true }));
    compare.click();
    const region = doc().querySelector('section.compare') as HTMLElement;
    assert.equal(region.hidden, false);
    assert.equal(region.getAttribute('role'), 'region');
    assert.deepEqual([...region.querySelectorAll('figure img')].map((i) => i.getAttribute('src')), [tile(1).src, tile(2).src], 'Compare shows the images, not their thumbnails');
    assert.deepEqual([...region.querySelectorAll('figure .details')].map((d) => d.textContent!.split(' · ')[0]), ['nano-banana-2', 'nano-banana-pro']);
    assert.equal((doc().querySelector('ul.tiles') as HTMLElement).hidden, true);
    doc().activeElement!.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    assert.equal(region.hidden, true);
    assert.equal(doc().activeElement, compare, 'the focus goes back to Compare');
  });

  it('offers Open and Reveal but no Insert, Copy Markdown Link, Save As, Vary or Delete Run… in Restricted Mode; Delete asks to delete', () => {
    start(true);
    send({ type: 'results', requestId: last('query').requestId, tiles: [tile(1)], matched: 1, total: 1, more: false });
    const names = [...doc().querySelectorAll('li.tile button')].map((b) => b.textContent);
    assert.deepEqual(names, ['Open', 'Reveal in Explorer']);
    doc().querySelector<HTMLLIElement>('li.tile')!.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'Delete', bubbles: true }));
    assert.equal(posted.filter((m) => m.type === 'tileAction').length, 0, 'no Delete by key either');
    dom.window.close();
    start(false);
    send({ type: 'results', requestId: last('query').requestId, tiles: [tile(1), tile(2, { src: '', state: 'failed', reason: 'x' })], matched: 2, total: 2, more: false });
    const [withImage, failed] = [...doc().querySelectorAll<HTMLLIElement>('li.tile')];
    assert.deepEqual([...withImage!.querySelectorAll('button')].map((b) => b.textContent), ['Open', 'Insert', 'Copy Markdown Link', 'Save As…', 'Vary', 'Use as Reference Image', 'Reveal in Explorer', 'Delete Run…']);
    assert.deepEqual(JSON.parse(withImage!.dataset.vscodeContext!), { webviewSection: 'tile', key: 'k1', index: 0, readOnly: false, preventDefaultContextMenuItems: true }, 'the context menu knows the tile');
    assert.deepEqual([...failed!.querySelectorAll('button')].map((b) => b.textContent), ['Delete Run…'], 'a failed run can be cleared out');
    failed!.focus();
    failed!.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'Delete', bubbles: true }));
    assert.deepEqual({ ...last('tileAction'), requestId: 0 }, { type: 'tileAction', requestId: 0, key: 'k2', index: 0, action: 'delete' });
  });
});
