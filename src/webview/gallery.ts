// The CreatOK Gallery's script: a search box, filters, the count of what matches, and a grid of
// tiles (text only, never HTML). It asks the host for one page of tiles at a time; every
// message it receives is checked with the same zod schemas as the host's. Keyboard: arrows move
// between tiles, Enter opens, Space picks for Compare, Ctrl/Cmd+F focuses the search. Compare
// shows 2 to 4 picked images side by side (Escape goes back).
import { GALLERY_PAGE, gallerySchemas, type GalleryTile, type GalleryToHost, type HostToGallery } from '../core/gallery/galleryMessages';
import { button, el, field, fillSelect } from './dom';
import { vscodeApi } from './vscodeApi';

const vscode = vscodeApi<GalleryToHost>();

type Query = Extract<GalleryToHost, { type: 'query' }>['query'];
const saved = (vscode.getState() as { query?: Query } | undefined)?.query;
let query: Query = saved ?? { text: '', period: 'all', limit: GALLERY_PAGE };
let strings: Record<string, string> = {};
let readOnly = true;
let nextRequest = 1;
let lastQueryId = 0;
/** The tiles picked for Compare (key#index), in the order they were picked; at most 4 compare. */
const selected = new Map<string, GalleryTile>();
let shown: GalleryTile[] = [];
const MAX_COMPARED = 4;

const app = document.getElementById('gallery')!;
const t = (key: string, ...args: (string | number)[]): string => (strings[key] ?? key).replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)] ?? ''));

const search = el('input', { type: 'search' });
const model = el('select');
const state = el('select');
const period = el('select');
const count = el('p', { className: 'count' });
count.setAttribute('aria-live', 'polite');
count.setAttribute('role', 'status');
const grid = el('ul', { className: 'tiles' });
grid.setAttribute('role', 'list');
const more = button('', () => ask({ ...query, limit: query.limit + GALLERY_PAGE }));
const problem = el('p', { className: 'problem' });
problem.setAttribute('role', 'alert');
const compareButton = button('', () => showCompare());
const compareView = el('section', { className: 'compare', hidden: true });
compareView.setAttribute('role', 'region');
const tileId = (item: Pick<GalleryTile, 'key' | 'index'>): string => `${item.key}#${item.index}`;

function post(message: GalleryToHost): void {
  vscode.postMessage(message);
}

function ask(next: Query): void {
  query = next;
  vscode.setState({ query });
  lastQueryId = nextRequest++;
  post({ type: 'query', requestId: lastQueryId, query });
}

function readFilters(): Query {
  return {
    text: search.value,
    period: period.value as Query['period'],
    limit: GALLERY_PAGE,
    ...(model.value ? { model: model.value } : {}),
    ...(state.value ? { state: state.value as NonNullable<Query['state']> } : {}),
  };
}

function build(models: string[]): void {
  search.placeholder = t('search');
  search.setAttribute('aria-label', t('search'));
  search.value = query.text;
  fillSelect(model, [{ value: '', label: t('allModels') }, ...models.map((m) => ({ value: m, label: m }))], query.model ?? '');
  fillSelect(state, [{ value: '', label: t('allStates') }, { value: 'running', label: t('running') }, { value: 'succeeded', label: t('succeeded') }, { value: 'failed', label: t('failed') }], query.state ?? '');
  fillSelect(period, [{ value: 'today', label: t('today') }, { value: 'week', label: t('week') }, { value: 'all', label: t('all') }], query.period);
  more.textContent = t('more');
  const filters = el('div', { className: 'filters' }, field('gallery-search', t('search'), search), field('gallery-model', t('model'), model), field('gallery-state', t('state'), state), field('gallery-period', t('period'), period));
  compareView.setAttribute('aria-label', t('compareTitle'));
  updateCompareButton();
  app.replaceChildren(el('h1', { textContent: t('title') }), filters, el('div', { className: 'toolbar' }, count, compareButton), problem, compareView, grid, more);
  app.removeAttribute('aria-busy');
  search.addEventListener('input', () => ask(readFilters()));
  for (const select of [model, state, period]) select.addEventListener('change', () => ask(readFilters()));
}

function tile(item: GalleryTile, position: number): HTMLLIElement {
  const label = t('tileLabel', item.index + 1, item.prompt.slice(0, 80));
  const node = el('li', { className: `tile state-${item.state}`, tabIndex: position === 0 ? 0 : -1 });
  node.dataset.key = item.key;
  node.dataset.index = String(item.index);
  node.setAttribute('role', 'listitem');
  node.setAttribute('aria-label', label);
  // The tile shows CreatOK's thumbnail when one was saved; Open and Compare show the image.
  const figure = item.src ? el('img', { src: item.thumb ?? item.src, alt: label, loading: 'lazy', decoding: 'async' }) : el('div', { className: 'placeholder', textContent: item.state === 'running' ? t('runningTile') : t('failedTile', item.reason ?? '') });
  const details = [item.model, item.resolution, item.age, item.credits === null ? '' : t('credits', item.credits)].filter(Boolean).join(' · ');
  const actions = el('div', { className: 'tile-actions' });
  if (item.src) {
    const act = (action: Extract<GalleryToHost, { type: 'tileAction' }>['action'], text: string): HTMLButtonElement => {
      const b = button(text, () => post({ type: 'tileAction', requestId: nextRequest++, key: item.key, index: item.index, action }));
      b.setAttribute('aria-label', `${text}: ${label}`);
      return b;
    };
    actions.append(act('open', t('open')), ...(readOnly ? [] : [act('insert', t('insert')), act('copyMarkdown', t('copyMarkdown')), act('saveAs', t('saveAs')), act('vary', t('vary')), act('useAsReference', t('useAsReference'))]), act('reveal', t('reveal')));
  }
  // VS Code's own context menu on the tile (webview/context in package.json): the same actions.
  node.dataset.vscodeContext = JSON.stringify({ webviewSection: item.src ? 'tile' : 'runTile', key: item.key, index: item.index, readOnly, preventDefaultContextMenuItems: true });
  if (!readOnly) {
    // Every run can be deleted, failed ones too (clearing out experiments).
    const remove = button(t('delete'), () => post({ type: 'tileAction', requestId: nextRequest++, key: item.key, index: item.index, action: 'delete' }));
    remove.setAttribute('aria-label', `${t('delete')} ${label}`);
    actions.append(remove);
  }
  if (item.src) {
    // Picked for Compare with this box, Ctrl/Cmd- or Shift-click on the tile, or Space.
    const pick = el('input', { type: 'checkbox', className: 'pick', checked: selected.has(tileId(item)) });
    pick.setAttribute('aria-label', t('select', label));
    pick.addEventListener('change', () => toggle(item, pick.checked));
    node.classList.toggle('selected', pick.checked);
    node.addEventListener('click', (event) => {
      if (!(event.ctrlKey || event.metaKey || event.shiftKey) || (event.target as HTMLElement).closest('button, input')) return;
      event.preventDefault();
      toggle(item, !selected.has(tileId(item)));
    });
    node.append(figure, el('label', { className: 'pick-label' }, pick, t('selectShort')));
  } else node.append(figure);
  node.append(el('p', { className: 'prompt', textContent: item.prompt }), el('p', { className: 'details', textContent: details }), actions);
  return node;
}

/** Picks or unpicks a tile for Compare (the grid's boxes and classes follow). */
function toggle(item: GalleryTile, on: boolean): void {
  if (on) selected.set(tileId(item), item);
  else selected.delete(tileId(item));
  for (const node of grid.querySelectorAll<HTMLLIElement>('li.tile')) {
    const isOn = selected.has(`${node.dataset.key}#${node.dataset.index}`);
    node.classList.toggle('selected', isOn);
    const box = node.querySelector<HTMLInputElement>('input.pick');
    if (box) box.checked = isOn;
  }
  updateCompareButton();
}

function updateCompareButton(): void {
  compareButton.textContent = t('compare', selected.size);
  compareButton.disabled = selected.size < 2 || selected.size > MAX_COMPARED;
  compareButton.title = selected.size > MAX_COMPARED ? t('compareAtMost', MAX_COMPARED) : '';
}

/** 2 to 4 picked images side by side, each with its prompt, model, resolution and credits. */
function showCompare(): void {
  const items = [...selected.values()].slice(0, MAX_COMPARED);
  if (items.length < 2) return;
  const back = button(t('back'), () => hideCompare());
  compareView.replaceChildren(
    el('h2', { textContent: t('compareTitle') }),
    el(
      'div',
      { className: 'compare-row' },
      ...items.map((item) =>
        el(
          'figure',
          {},
          el('img', { src: item.src, alt: t('tileLabel', item.index + 1, item.prompt.slice(0, 80)) }),
          el('figcaption', {}, el('p', { className: 'prompt', textContent: item.prompt }), el('p', { className: 'details', textContent: [item.model, item.resolution, item.credits === null ? '' : t('credits', item.credits)].filter(Boolean).join(' · ') })),
        ),
      ),
    ),
    back,
  );
  compareView.hidden = false;
  grid.hidden = true;
  more.hidden = true;
  back.focus();
}

function hideCompare(): void {
  compareView.hidden = true;
  grid.hidden = false;
  compareButton.focus();
  ask(query);
}

/** A tile's identity across renders: its run and image number. */
const tileKey = (li: HTMLLIElement | null | undefined): string | undefined => (li ? `${li.dataset.key}#${li.dataset.index}` : undefined);
/** What names a control inside a tile (its label for screen readers, else its text). */
const controlName = (e: Element): string | null => e.getAttribute('aria-label') ?? e.textContent;

/**
 * The grid's one tab stop: that tile, and the buttons and box in it, take Tab; every other tile
 * and its controls are reached with the arrow keys (then Tab goes into the tile's controls and on
 * out of the grid, not through every tile's buttons).
 */
function makeTabStop(stop: HTMLLIElement | undefined): void {
  for (const li of grid.querySelectorAll<HTMLLIElement>('li.tile')) {
    const on = li === stop;
    if (li.tabIndex !== (on ? 0 : -1)) li.tabIndex = on ? 0 : -1;
    for (const control of li.querySelectorAll<HTMLElement>('button, input')) if (control.tabIndex !== (on ? 0 : -1)) control.tabIndex = on ? 0 : -1;
  }
}

function render(message: Extract<HostToGallery, { type: 'results' }>): void {
  if (message.requestId !== lastQueryId) return; // an older answer: a newer query is on its way
  // The grid is drawn anew whenever a run changes: the grid's tab stop and the focus stay on the
  // same tile (and the same button in it), so a keyboard user is never thrown out of the grid.
  const active = document.activeElement instanceof HTMLElement && grid.contains(document.activeElement) ? document.activeElement : undefined;
  const activeTile = active?.closest<HTMLLIElement>('li.tile');
  const activeName = active && active !== activeTile ? controlName(active) : null;
  // Focus elsewhere (a new search, say): the grid's tab stop starts again at the first tile, so
  // Tab from the filters lands on it before any tile's buttons.
  const tabStop = tileKey(activeTile);
  shown = message.tiles;
  grid.replaceChildren(...shown.map(tile));
  const tiles = [...grid.querySelectorAll<HTMLLIElement>('li.tile')];
  const stop = tiles.find((li) => tileKey(li) === tabStop) ?? tiles[0];
  makeTabStop(stop);
  if (active && !active.isConnected) {
    const again = tiles.find((li) => tileKey(li) === tileKey(activeTile));
    const control = again && activeName !== null ? [...again.querySelectorAll('button, input')].find((e) => controlName(e) === activeName) : undefined;
    ((control as HTMLElement | undefined) ?? again ?? stop ?? search).focus();
  }
  count.textContent = message.reading ? t('reading', message.matched, message.total, message.reading) : message.total === 0 ? t('empty') : message.matched === 0 ? t('none') : t('count', message.matched, message.total);
  more.hidden = !message.more;
}

/** Arrows move between tiles (up and down by a row of the grid), Enter opens, Ctrl/Cmd+F searches. */
function onKey(event: KeyboardEvent): void {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'f') {
    event.preventDefault();
    if (!compareView.hidden) hideCompare();
    search.focus();
    return;
  }
  if (event.key === 'Escape' && !compareView.hidden) {
    event.preventDefault();
    hideCompare();
    return;
  }
  const current = (event.target as HTMLElement).closest?.('li.tile') as HTMLLIElement | null;
  if (!current || event.target !== current) return;
  const tiles = [...grid.querySelectorAll<HTMLLIElement>('li.tile')];
  const at = tiles.indexOf(current);
  const columns = Math.max(1, tiles.filter((x) => x.offsetTop === tiles[0]!.offsetTop).length);
  const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns, Home: -at, End: tiles.length - 1 - at }[event.key];
  if (step !== undefined) {
    event.preventDefault();
    const target = tiles[Math.min(tiles.length - 1, Math.max(0, at + step))]!;
    makeTabStop(target);
    target.focus();
  } else if (event.key === 'Enter' && current.querySelector('img')) {
    event.preventDefault();
    post({ type: 'tileAction', requestId: nextRequest++, key: current.dataset.key!, index: Number(current.dataset.index), action: 'open' });
  } else if (event.key === 'Delete' && !readOnly) {
    event.preventDefault();
    post({ type: 'tileAction', requestId: nextRequest++, key: current.dataset.key!, index: Number(current.dataset.index), action: 'delete' });
  } else if (event.key === ' ' && current.querySelector('img')) {
    event.preventDefault();
    const item = shown.find((x) => x.key === current.dataset.key && String(x.index) === current.dataset.index);
    if (item) toggle(item, !selected.has(tileId(item)));
  }
}

function handle(message: HostToGallery): void {
  switch (message.type) {
    case 'init':
      strings = message.strings;
      readOnly = message.readOnly;
      build(message.models);
      ask(query);
      break;
    case 'results':
      render(message);
      break;
    case 'reply':
      problem.textContent = message.error ?? '';
      break;
    case 'changed':
      ask(query);
      break;
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = gallerySchemas().hostToWebviewSchema.safeParse(event.data);
  if (parsed.success) handle(parsed.data);
  else problem.textContent = 'The extension sent something the gallery could not read.';
});
document.addEventListener('keydown', onKey);
// The grid's tab stop follows the focus (a key, a click, a script).
grid.addEventListener('focusin', (event) => {
  const li = (event.target as HTMLElement).closest?.('li.tile') as HTMLLIElement | null;
  if (!li) return;
  makeTabStop(li);
});
post({ type: 'ready' });
