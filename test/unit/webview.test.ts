// The Generate Image panel's script, in plain Node: its form logic on its own, and the built
// webview bundle (dist/webview.js) run in a jsdom window the way VS Code runs it, talking to a
// stand-in for the host through postMessage.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import type { ModelOption, PanelCatalog } from '../../src/core/panelMessages';
import { EMPTY_FORM, resolveForm } from '../../src/webview/formState';

function modelOption(id: string, over: Partial<ModelOption> = {}): ModelOption {
  return {
    id,
    label: id.toUpperCase(),
    resolutions: ['1K', '2K', '4K'],
    aspectRatios: ['1:1', '16:9'],
    nMin: 1,
    nMax: 4,
    maxReferenceImages: 3,
    pricePerImage: { '1K': 1, '2K': 2, '4K': 4 },
    currency: 'credits',
    defaults: { resolution: '2K', aspectRatio: '1:1', n: 1 },
    ...over,
  };
}

const catalog: PanelCatalog = {
  source: 'server',
  defaultModel: 'nano-banana-2',
  models: [
    modelOption('nano-banana-2'),
    modelOption('nano-banana-pro', { resolutions: ['2K', '4K'], nMax: 2, maxReferenceImages: 0, defaults: { resolution: '4K', aspectRatio: '16:9', n: 2 } }),
    modelOption('seedream-4', { aspectRatios: [], pricePerImage: null }),
  ],
};

describe('the panel form (formState, no DOM)', () => {
  it('keeps only what the chosen model can do, and prices the request', () => {
    const r = resolveForm(catalog, { ...EMPTY_FORM, model: 'nano-banana-pro', modelChosen: true, resolution: '1K', n: 4 }, 0);
    assert.equal(r.form.model, 'nano-banana-pro');
    assert.deepEqual(r.options.resolutions, ['2K', '4K']);
    assert.equal(r.form.resolution, '2K', '1K is not offered by this model: its first resolution instead');
    assert.deepEqual(r.options.counts, ['1', '2']);
    assert.equal(r.form.n, 1, '4 images are more than it makes');
    assert.equal(r.credits, 2);
    const unknownPrice = resolveForm(catalog, { ...EMPTY_FORM, model: 'seedream-4', modelChosen: true }, 0);
    assert.equal(unknownPrice.credits, undefined);
    assert.equal(unknownPrice.form.aspectRatio, '', 'no aspect ratios: none sent');
  });
  it('recommends from the prompt until the user picks a model, and counts references against the model', () => {
    const guessed = resolveForm(catalog, { ...EMPTY_FORM, prompt: 'a product photo of a watch on marble' }, 0);
    assert.equal(guessed.form.useCase, 'product');
    assert.equal(guessed.form.model, guessed.recommended.modelId);
    const chosen = resolveForm(catalog, { ...EMPTY_FORM, prompt: 'a product photo of a watch on marble', model: 'seedream-4', modelChosen: true }, 0);
    assert.equal(chosen.form.model, 'seedream-4', 'a chosen model stays');
    assert.notEqual(chosen.recommended.modelId, 'seedream-4');
    const refs = resolveForm(catalog, { ...EMPTY_FORM, model: 'nano-banana-pro', modelChosen: true }, 2);
    assert.deepEqual(refs.references, { count: 2, max: 0, over: 2 });
  });
});

describe('the panel in a DOM (dist/webview.js in jsdom)', () => {
  let dom: JSDOM;
  let posted: { type: string; requestId?: number; [key: string]: unknown }[];

  const doc = (): Document => dom.window.document;
  const byId = <T extends HTMLElement>(id: string): T => doc().getElementById(id) as T;
  const send = (data: unknown): void => void dom.window.dispatchEvent(new dom.window.MessageEvent('message', { data }));
  const buttonNamed = (name: string): HTMLButtonElement => [...doc().querySelectorAll('button')].find((b) => b.textContent === name) as HTMLButtonElement;
  const last = (type: string): { type: string; requestId?: number; [key: string]: unknown } => [...posted].reverse().find((m) => m.type === type)!;

  beforeEach(() => {
    dom = new JSDOM('<!DOCTYPE html><body><main id="app" aria-busy="true"></main></body>', { runScripts: 'outside-only' });
    posted = [];
    Object.assign(dom.window, { acquireVsCodeApi: () => ({ postMessage: (m: never) => posted.push(m), getState: () => undefined, setState: () => undefined }) });
    dom.window.eval(readFileSync(join(process.cwd(), 'dist', 'webview.js'), 'utf8'));
    assert.equal(posted[0]?.type, 'ready');
    send({ type: 'init', strings: { generate: 'Generate', addReference: 'Add reference image…', refine: 'Refine prompt' }, catalog });
  });
  afterEach(() => dom.window.close());

  it('offers only the resolutions and counts of the model chosen, and keeps the lists while the prompt is typed', () => {
    const model = byId<HTMLSelectElement>('model');
    const resolution = byId<HTMLSelectElement>('resolution');
    model.value = 'nano-banana-pro';
    model.dispatchEvent(new dom.window.Event('change'));
    assert.deepEqual([...resolution.options].map((o) => o.value), ['2K', '4K']);
    assert.deepEqual([...byId<HTMLSelectElement>('count').options].map((o) => o.value), ['1', '2']);
    const optionsBefore = [...resolution.options];
    const prompt = byId<HTMLTextAreaElement>('prompt');
    for (const text of ['a', 'a cat', 'a cat on a sofa']) {
      prompt.value = text;
      prompt.dispatchEvent(new dom.window.Event('input'));
    }
    assert.ok(optionsBefore.length === resolution.options.length && optionsBefore.every((o, i) => o === resolution.options[i]), 'the same option elements: not rebuilt on each keystroke');
  });

  it('focuses the prompt when it opens; Ctrl/Cmd+Enter in it generates; focus goes back to Generate after the reply; problems are an alert', () => {
    const prompt = byId<HTMLTextAreaElement>('prompt');
    assert.equal(doc().activeElement, prompt, 'the prompt has the focus');
    prompt.value = 'a lighthouse at dusk';
    prompt.dispatchEvent(new dom.window.Event('input'));
    prompt.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    assert.equal(posted.filter((m) => m.type === 'generate').length, 0, 'Enter alone is a new line');
    const press = prompt.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true, cancelable: true }));
    assert.equal(press, false, 'the key does not also type a line break');
    assert.equal(posted.filter((m) => m.type === 'generate').length, 1);
    prompt.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'Enter', metaKey: true, bubbles: true, cancelable: true }));
    assert.equal(posted.filter((m) => m.type === 'generate').length, 1, 'not twice while the first waits');
    const generate = buttonNamed('Generate');
    // A browser drops the focus of a button that disables itself: the page has none now.
    (doc().activeElement as HTMLElement).blur();
    assert.equal(doc().activeElement, doc().body);
    send({ type: 'reply', requestId: last('generate').requestId, error: 'The daily credit limit would be passed.' });
    assert.equal(doc().activeElement, generate, 'the focus is back on Generate');
    const alert = doc().querySelector('[role="alert"]')!;
    assert.equal(alert.getAttribute('aria-live'), 'assertive');
    assert.equal(alert.textContent, 'The daily credit limit would be passed.');
    assert.equal(doc().querySelector('.status')!.getAttribute('aria-live'), 'polite');
  });

  it('names each image\'s buttons with its number for screen readers', () => {
    send({ type: 'init', strings: { generate: 'Generate', insert: 'Insert', insertOf: 'Insert image {0}', copyMarkdownOf: 'Copy Markdown Link of image {0}', saveAsOf: 'Save As… image {0}', varyOf: 'Vary image {0}', copyUrlOf: 'Copy URL of image {0}', imageLink: 'Link', imageLinkOf: 'Link of image {0}' }, catalog });
    const image = (i: number): Record<string, unknown> => ({ url: `https://cdn.example/${i}.png`, allowed: true, thumbnailUrl: null, localSrc: `https://file+.vscode-resource/${i}.png` });
    send({ type: 'run', run: { runId: '20261201-120000-000-abcdef', taskId: 'task_1', phase: 'succeeded', status: 'succeeded', message: 'Done', images: [image(1), image(2)] } });
    const names = [...doc().querySelectorAll('.images button')].map((b) => b.getAttribute('aria-label'));
    assert.ok(names.includes('Insert image 1') && names.includes('Insert image 2') && names.includes('Vary image 2') && names.includes('Copy URL of image 1'), names.join(', '));
    assert.equal(new Set(names).size, names.length, 'no two buttons share a name');
    assert.deepEqual([...doc().querySelectorAll('.images button')].filter((b) => b.textContent === 'Insert').length, 2, 'the visible text stays short');
    assert.deepEqual([...doc().querySelectorAll('.images summary')].map((s) => s.getAttribute('aria-label')), ['Link of image 1', 'Link of image 2']);

    // The run is drawn anew (a copy was saved): the focus stays on the same button, an open link stays open.
    const byName = (name: string): HTMLElement => doc().querySelector(`[aria-label="${name}"]`) as HTMLElement;
    (doc().querySelectorAll('.images details')[1] as HTMLDetailsElement).open = true;
    byName('Insert image 2').focus();
    send({ type: 'run', run: { runId: '20261201-120000-000-abcdef', taskId: 'task_1', phase: 'succeeded', status: 'succeeded', message: 'Done', images: [image(1), image(2)] } });
    assert.equal(doc().activeElement, byName('Insert image 2'), 'the focus is on the new Insert image 2, not on Generate');
    assert.deepEqual([...doc().querySelectorAll<HTMLDetailsElement>('.images details')].map((d) => d.open), [false, true]);
    // A control that is gone leaves the focus on the run's phase.
    byName('Vary image 2').focus();
    send({ type: 'run', run: { runId: '20261201-120000-000-abcdef', taskId: 'task_1', phase: 'succeeded', status: 'succeeded', message: 'Done', images: [image(1)] } });
    assert.equal(doc().activeElement, doc().querySelector('.status .phase'));
  });

  it('sends Generate once with the form, and shows its error in the problems list when the reply has one', () => {
    const prompt = byId<HTMLTextAreaElement>('prompt');
    prompt.value = 'a lighthouse at dusk';
    prompt.dispatchEvent(new dom.window.Event('input'));
    const generate = buttonNamed('Generate');
    generate.click();
    generate.click();
    assert.equal(posted.filter((m) => m.type === 'generate').length, 1, 'a second click while waiting sends nothing');
    const sent = last('generate');
    assert.equal((sent.form as { prompt: string }).prompt, 'a lighthouse at dusk');
    assert.equal(generate.disabled, true);
    send({ type: 'reply', requestId: sent.requestId, error: 'The daily credit limit would be passed.' });
    assert.equal(generate.disabled, false);
    assert.equal(doc().querySelector('.problems')!.textContent, 'The daily credit limit would be passed.');
    // Accepted: the reply carries the run it started, shown at once.
    generate.click();
    const second = last('generate');
    send({ type: 'reply', requestId: second.requestId, result: { kind: 'run', run: { runId: '20261201-120000-000-abcdef', taskId: 'task_9', phase: 'queued', status: 'queued', message: 'Queued at CreatOK', images: [] } } });
    assert.equal(doc().querySelector('.phase')!.textContent, 'Queued at CreatOK');
    assert.equal(generate.disabled, false);
  });

  it('waits on the control that sent a request, and shows that reply\'s error right beside it', () => {
    const add = buttonNamed('Add reference image…');
    add.click();
    const sent = last('addReferences');
    assert.equal(add.disabled, true);
    assert.equal(add.getAttribute('aria-busy'), 'true');
    send({ type: 'reply', requestId: sent.requestId, error: 'That file is not an image.' });
    assert.equal(add.disabled, false);
    const note = add.nextElementSibling as HTMLElement;
    assert.equal(note.textContent, 'That file is not an image.');
    assert.equal(note.getAttribute('role'), 'alert', 'announced to screen readers');
    add.click();
    assert.ok(!add.nextElementSibling?.classList.contains('control-error'), 'the old error goes with a new request');
    // The reply carries what the request changed: the references now.
    send({ type: 'reply', requestId: last('addReferences').requestId, result: { kind: 'references', items: [{ id: '1', name: 'cat.png', size: 10, thumbnail: null }] } });
    assert.equal(add.disabled, false);
    assert.equal(doc().querySelector('.reference-name')?.textContent, 'cat.png');
  });

  it('can be used with the keyboard alone: every control is a labelled, focusable form element', () => {
    const controls = [...doc().querySelectorAll<HTMLElement>('#app textarea, #app select, #app button')];
    assert.ok(controls.length >= 8);
    for (const control of controls) {
      assert.ok(control.tabIndex >= 0, `${control.outerHTML.slice(0, 60)} is in the tab order`);
      if (control.tagName !== 'BUTTON') assert.ok(doc().querySelector(`label[for="${control.id}"]`)?.textContent, `${control.id} has a label`);
      else assert.ok(control.textContent || control.getAttribute('aria-label'), 'a button has a name');
    }
    // A select changed from the keyboard is a change event like any other.
    const count = byId<HTMLSelectElement>('count');
    count.value = '3';
    count.dispatchEvent(new dom.window.Event('change'));
    buttonNamed('Generate').click();
    assert.equal((last('generate').form as { n: number }).n, 3);
  });

  it('guided refinement: choices build the prompt, Apply puts it in the form and focuses the prompt', () => {
    const prompt = byId<HTMLTextAreaElement>('prompt');
    prompt.value = 'a cat';
    prompt.dispatchEvent(new dom.window.Event('input'));
    buttonNamed('Refine prompt').click();
    const asked = last('refinePrompt');
    assert.equal(asked.prompt, 'a cat');
    // No chat model: the reply to that request carries no suggestion, so the guided refinement opens.
    send({ type: 'reply', requestId: asked.requestId, result: { kind: 'refinement', suggestion: null } });
    const style = byId<HTMLSelectElement>('refine-style');
    style.value = style.options[1]!.value;
    style.dispatchEvent(new dom.window.Event('change'));
    const preview = doc().querySelector('.refine-preview')!.textContent!;
    assert.ok(preview.startsWith('a cat') && preview.length > 'a cat'.length, preview);
    buttonNamed('refineApply').click();
    assert.equal(prompt.value, preview);
    assert.equal(doc().activeElement, prompt);
    assert.equal(doc().querySelector<HTMLElement>('.refine')!.hidden, true);
    buttonNamed('Generate').click();
    assert.equal((last('generate').form as { prompt: string }).prompt, preview);
  });

  it('shows a run\'s images with their actions; an action waits for its reply', () => {
    send({
      type: 'run',
      run: { runId: '20261201-120000-000-abcdef', taskId: 'task_1', phase: 'succeeded', status: 'succeeded', message: 'Done', images: [{ url: 'https://cdn.example/1.png', allowed: true, thumbnailUrl: null, localSrc: 'https://file+.vscode-resource/1.png' }] },
    });
    assert.equal(doc().querySelector('.phase')!.textContent, 'Done');
    assert.equal(doc().querySelector<HTMLImageElement>('.images img')!.src, 'https://file+.vscode-resource/1.png');
    const insert = buttonNamed('insert');
    insert.click();
    const sent = last('imageAction');
    assert.deepEqual({ action: sent.action, index: sent.index }, { action: 'insert', index: 0 });
    assert.equal(insert.disabled, true);
    send({ type: 'reply', requestId: sent.requestId, error: 'Open a text editor first.' });
    assert.equal(insert.disabled, false);
    assert.equal(insert.nextElementSibling?.textContent, 'Open a text editor first.');
  });

  it('ignores a message from the host that is not one (zod), and still works', () => {
    send({ type: 'run', run: { runId: 1 } });
    send({ type: 'nonsense' });
    buttonNamed('Generate').click();
    assert.equal(posted.filter((m) => m.type === 'generate').length, 1);
  });
});
