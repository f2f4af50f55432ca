// The Generate Image panel's script. Plain DOM; all text is set with textContent (never HTML).
// It validates what the host sends, guesses the use case and recommends a model as the user
// types, and asks the host for everything else.
import { guessUseCase, recommendFrom, USE_CASES, type UseCase } from '../core/models';
import { assessPrompt } from '../core/prompt/vagueness';
import { REFINE_CHOICES, refinePrompt, type RefineAspect, type RefineChoices } from '../core/prompt/refine';
import {
  panelSchemas,
  type HostToWebview,
  type ModelOption,
  type PanelCatalog,
  type PanelForm,
  type ReferenceView,
  type RunView,
  type WebviewToHost,
} from '../core/panelMessages';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let strings: Record<string, string> = {};
let catalog: PanelCatalog | undefined;
let form: PanelForm = { prompt: '', useCase: 'general', useCaseChosen: false, model: '', modelChosen: false, resolution: '', aspectRatio: '', n: 1 };
let nextRequestId = 1;
let pendingRequest: number | undefined;
let references: ReferenceView[] = [];

/** What survives a reload of the panel: the form, and the run it was showing. */
const saved = vscode.getState() as { form?: PanelForm; runId?: string } | undefined;
if (saved?.form) form = { ...form, ...saved.form };
let shownRunId: string | undefined = typeof saved?.runId === 'string' ? saved.runId : undefined;

type Request = WebviewToHost extends infer M ? (M extends { requestId: number } ? Omit<M, 'requestId'> : never) : never;

/** Sends a request; the host answers every one with a `reply` of the same id. */
function request(message: Request): number {
  const requestId = nextRequestId++;
  vscode.postMessage({ ...message, requestId } as WebviewToHost);
  return requestId;
}

function t(key: string, ...args: (string | number)[]): string {
  const template = strings[key] ?? key;
  return template.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)] ?? ''));
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) node.append(child);
  return node;
}

function field(id: string, label: string, control: HTMLElement): HTMLElement {
  control.id = id;
  return el('div', { className: 'field' }, el('label', { htmlFor: id, textContent: label }), control);
}

// The controls, created once.
const prompt = el('textarea', { rows: 5 });
const useCase = el('select');
const model = el('select');
const resolution = el('select');
const aspectRatio = el('select');
const count = el('select');
const generate = el('button', { type: 'button', className: 'primary' });
const recommendation = el('p', { className: 'recommendation' });
const cost = el('p', { className: 'cost' });
const notice = el('div', { className: 'notice', hidden: true });
const problems = el('ul', { className: 'problems' });
const vagueBox = el('div', { className: 'notice vague', hidden: true });
const refineButton = el('button', { type: 'button', className: 'secondary' });
const refinePanel = el('section', { className: 'refine', hidden: true });
const referenceList = el('ul', { className: 'references' });
const referenceInfo = el('p', { className: 'reference-info' });
const addReference = el('button', { type: 'button', className: 'secondary' });
const recent = el('button', { type: 'button', className: 'link' });
const status = el('section', { className: 'status', hidden: true });
status.setAttribute('role', 'status');
status.setAttribute('aria-live', 'polite');

function model_(): ModelOption | undefined {
  return catalog?.models.find((m) => m.id === form.model);
}

function fillSelect(select: HTMLSelectElement, options: { value: string; label: string }[], selected: string): string {
  select.replaceChildren(...options.map((o) => el('option', { value: o.value, textContent: o.label })));
  const value = options.some((o) => o.value === selected) ? selected : (options[0]?.value ?? '');
  select.value = value;
  return value;
}

function save(): void {
  vscode.setState({ form, runId: shownRunId });
}

/** Brings every control in line with the form and the catalogue; offers only what the model can do. */
function render(): void {
  if (!catalog) return;
  if (!form.useCaseChosen) form.useCase = guessUseCase(form.prompt, { hasReferences: references.length > 0 });
  const wanted = form.resolution === '1K' ? '1K' : undefined;
  const rec = recommendFrom(
    catalog.models.map((m) => ({ id: m.id, resolutions: m.resolutions })),
    catalog.defaultModel,
    form.useCase,
    wanted,
  );
  if (!form.modelChosen || !catalog.models.some((m) => m.id === form.model)) form.model = rec.modelId;

  fillSelect(useCase, USE_CASES.map((u) => ({ value: u, label: t(`useCase.${u}`) })), form.useCase);
  fillSelect(model, catalog.models.map((m) => ({ value: m.id, label: m.label })), form.model);
  const m = model_()!;
  form.resolution = fillSelect(resolution, m.resolutions.map((r) => ({ value: r, label: r })), form.resolution || m.defaults.resolution);
  form.aspectRatio = fillSelect(aspectRatio, m.aspectRatios.map((r) => ({ value: r, label: r })), form.aspectRatio || m.defaults.aspectRatio);
  const counts: { value: string; label: string }[] = [];
  for (let i = m.nMin; i <= m.nMax; i++) counts.push({ value: String(i), label: String(i) });
  form.n = Number(fillSelect(count, counts, String(form.n || m.defaults.n)));

  const recLabel = catalog.models.find((x) => x.id === rec.modelId)?.label ?? rec.modelId;
  recommendation.textContent =
    form.model === rec.modelId ? t('recommended', recLabel, t(`reason.${rec.reason}`)) : t('recommendedChosen', m.label, recLabel);
  const perImage = m.pricePerImage?.[form.resolution];
  cost.textContent = perImage === undefined ? t('costUnknown') : t('cost', perImage * form.n);
  notice.hidden = catalog.source !== 'fallback';
  vagueBox.hidden = !assessPrompt(form.prompt).vague || !refinePanel.hidden;
  renderReferenceInfo(m);
  generate.disabled = pendingRequest !== undefined;
  save();
}

function closeRefine(): void {
  refinePanel.hidden = true;
  refinePanel.replaceChildren();
  render();
}

function useRefined(text: string): void {
  prompt.value = text;
  form.prompt = text;
  closeRefine();
  prompt.focus();
}

function refineActions(current: () => string): HTMLElement {
  return el('div', { className: 'actions' }, button(t('refineApply'), () => useRefined(current()), 'primary'), button(t('refineCancel'), closeRefine));
}

/** A chat model's suggestion: editable, then accepted or rejected. */
function showSuggestion(text: string): void {
  const suggestion = el('textarea', { rows: 4, value: text });
  refinePanel.replaceChildren(el('h2', { textContent: t('refineTitle') }), field('refineSuggestion', t('refineSuggested'), suggestion), refineActions(() => suggestion.value));
  refinePanel.hidden = false;
  render();
}

/** No chat model: choices for style, lighting, framing and background build the prompt here. */
function showGuided(): void {
  const choices: RefineChoices = {};
  const preview = el('p', { className: 'refine-preview' });
  const update = (): void => {
    preview.textContent = refinePrompt(form.prompt, choices);
  };
  const selects = (Object.keys(REFINE_CHOICES) as RefineAspect[]).map((aspect) => {
    const select = el('select');
    fillSelect(select, [{ value: '', label: t('refineNone') }, ...REFINE_CHOICES[aspect].map((c) => ({ value: c, label: t(`refine.${aspect}.${c}`) }))], '');
    select.addEventListener('change', () => {
      (choices as Record<string, string | undefined>)[aspect] = select.value || undefined;
      update();
    });
    return field(`refine-${aspect}`, t(`refine.${aspect}`), select);
  });
  update();
  refinePanel.replaceChildren(el('h2', { textContent: t('refineTitle') }), el('div', { className: 'grid' }, ...selects), preview, refineActions(() => refinePrompt(form.prompt, choices)));
  refinePanel.hidden = false;
  render();
}

function renderReferenceInfo(m: ModelOption): void {
  const over = references.length - m.maxReferenceImages;
  referenceInfo.classList.toggle('problem', over > 0);
  if (references.length === 0) referenceInfo.textContent = t('referencesHint');
  else if (m.maxReferenceImages === 0) referenceInfo.textContent = t('referencesNone', m.label);
  else if (over > 0) referenceInfo.textContent = t('referencesTooMany', m.label, m.maxReferenceImages, over);
  else referenceInfo.textContent = t('referencesCount', references.length, m.maxReferenceImages);
}

function renderReferences(): void {
  referenceList.replaceChildren(
    ...references.map((r) => {
      const remove = el('button', { type: 'button', className: 'icon', textContent: '×', title: t('removeReference', r.name) });
      remove.setAttribute('aria-label', t('removeReference', r.name));
      remove.addEventListener('click', () => request({ type: 'removeReference', id: r.id }));
      const preview = r.thumbnail ? el('img', { src: r.thumbnail, alt: '' }) : el('span', { className: 'no-preview', textContent: '🖼' });
      return el('li', { className: 'reference' }, preview, el('span', { className: 'reference-name', textContent: r.name }), remove);
    }),
  );
  render();
}

function buildForm(): void {
  const app = document.getElementById('app')!;
  prompt.placeholder = t('promptPlaceholder');
  prompt.value = form.prompt;
  generate.textContent = t('generate');
  const reload = el('button', { type: 'button', className: 'link', textContent: t('reloadModels') });
  reload.addEventListener('click', () => request({ type: 'reloadModels' }));
  notice.replaceChildren(el('span', { textContent: t('fallbackCatalog') + ' ' }), reload);
  addReference.textContent = t('addReference');
  recent.textContent = t('recentPrompts');
  const referencesGroup = el('div', { className: 'field' }, el('span', { className: 'group-label', id: 'referencesLabel', textContent: t('references') }), referenceList, referenceInfo, el('div', {}, addReference));
  referencesGroup.setAttribute('role', 'group');
  referencesGroup.setAttribute('aria-labelledby', 'referencesLabel');
  const options = el('div', { className: 'grid' },
    field('useCase', t('useCase'), useCase),
    field('model', t('model'), model),
    field('resolution', t('resolution'), resolution),
    field('aspectRatio', t('aspectRatio'), aspectRatio),
    field('count', t('count'), count),
  );
  refineButton.textContent = t('refine');
  vagueBox.replaceChildren(el('span', { textContent: t('vagueNotice') + ' ' }), refineButton);
  refinePanel.setAttribute('aria-label', t('refineTitle'));
  app.replaceChildren(
    el('h1', { textContent: t('title') }),
    notice,
    field('prompt', t('prompt'), prompt),
    el('div', { className: 'prompt-tools' }, recent),
    vagueBox,
    refinePanel,
    options,
    referencesGroup,
    recommendation,
    cost,
    problems,
    el('div', { className: 'actions' }, generate),
    status,
  );
  app.setAttribute('aria-busy', 'false');
}

prompt.addEventListener('input', () => {
  form.prompt = prompt.value;
  render();
});
useCase.addEventListener('change', () => {
  form.useCase = useCase.value as UseCase;
  form.useCaseChosen = true;
  render();
});
model.addEventListener('change', () => {
  form.model = model.value;
  form.modelChosen = true;
  render();
});
resolution.addEventListener('change', () => {
  form.resolution = resolution.value;
  render();
});
aspectRatio.addEventListener('change', () => {
  form.aspectRatio = aspectRatio.value;
  render();
});
count.addEventListener('change', () => {
  form.n = Number(count.value);
  render();
});
addReference.addEventListener('click', () => request({ type: 'addReferences' }));
recent.addEventListener('click', () => request({ type: 'recentPrompts' }));
refineButton.addEventListener('click', () => {
  refinePanel.replaceChildren(el('p', { textContent: t('refineWorking') }));
  refinePanel.hidden = false;
  render();
  request({ type: 'refinePrompt', prompt: form.prompt, useCase: form.useCase });
});
generate.addEventListener('click', () => {
  if (pendingRequest !== undefined) return;
  generate.disabled = true;
  problems.replaceChildren();
  pendingRequest = request({ type: 'generate', form: { ...form, prompt: prompt.value } });
});

function button(label: string, onClick: () => void, className = 'secondary'): HTMLButtonElement {
  const b = el('button', { type: 'button', className, textContent: label });
  b.addEventListener('click', onClick);
  return b;
}

function renderRun(run: RunView): void {
  if (run.runId) {
    shownRunId = run.runId;
    save();
  }
  status.hidden = false;
  status.dataset.phase = run.phase;
  const children: Node[] = [el('p', { className: `phase phase-${run.phase}`, textContent: run.message })];
  if (run.hint) children.push(el('p', { className: 'hint', textContent: run.hint }));
  if (run.progress !== null && run.progress !== undefined && run.phase === 'running') {
    children.push(el('progress', { max: 100, value: run.progress, title: t('progress', run.progress) }));
  }
  if (run.taskId) children.push(el('p', { className: 'task-id', textContent: t('taskId', run.taskId) }));
  if (run.images.length > 0) {
    const list = el('ul', { className: 'images' });
    run.images.forEach((image, i) => {
      // Only a saved copy or an https: link is loaded; any other address is shown as text.
      const src = image.localSrc ?? (image.allowed ? (image.thumbnailUrl ?? image.url) : undefined);
      const preview = src ? el('img', { src, alt: t('imageAlt', i + 1), loading: 'lazy' }) : el('p', { className: 'hint', textContent: t('notHttps') });
      const url = el('code', { className: 'image-url', textContent: image.url });
      const actions = el('div', { className: 'actions image-actions' }, button(t('copyUrl'), () => request({ type: 'copy', text: image.url })));
      if (image.localSrc) {
        const act = (action: 'insert' | 'copyMarkdown' | 'saveAs' | 'vary'): void => void request({ type: 'imageAction', runId: run.runId, index: i, action });
        actions.append(button(t('insert'), () => act('insert')), button(t('copyMarkdown'), () => act('copyMarkdown')), button(t('saveAs'), () => act('saveAs')), button(t('vary'), () => act('vary')));
      }
      list.append(el('li', {}, preview, url, actions));
    });
    children.push(el('h2', { textContent: t('images') }), list);
    children.push(el('div', { className: 'actions' },
      button(t('copyAll'), () => request({ type: 'copy', text: run.images.map((i) => i.url).join('\n') })),
      button(t('openResult'), () => request({ type: 'openResult', runId: run.runId })),
      button(t('revealRun'), () => request({ type: 'revealRun', runId: run.runId })),
    ));
  } else if (run.runId && (run.phase === 'failed' || run.phase === 'unconfirmed')) {
    children.push(el('div', { className: 'actions' },
      button(t('openResult'), () => request({ type: 'openResult', runId: run.runId })),
      button(t('showLog'), () => request({ type: 'showLog' })),
    ));
  }
  if (run.action === 'setApiKey') {
    children.push(button(t('setApiKey'), () => request({ type: 'setApiKey' })));
  }
  if (run.action === 'retrySave' && run.runId) {
    children.push(el('div', { className: 'actions' },
      button(t('copyTaskId'), () => run.taskId && request({ type: 'copy', text: run.taskId })),
      button(t('retrySave'), () => request({ type: 'retrySave', runId: run.runId })),
    ));
  }
  status.replaceChildren(...children);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = panelSchemas().hostToWebviewSchema.safeParse(event.data);
  if (!parsed.success) return;
  handle(parsed.data);
});

function handle(message: HostToWebview): void {
  switch (message.type) {
    case 'init':
      strings = message.strings;
      catalog = message.catalog;
      if (message.form) form = { ...form, ...message.form };
      buildForm();
      render();
      break;
    case 'catalog':
      catalog = message.catalog;
      render();
      break;
    case 'prefill':
      form = { ...form, ...message.form };
      prompt.value = form.prompt;
      render();
      break;
    case 'reply':
      if (pendingRequest === message.requestId) {
        pendingRequest = undefined;
        generate.disabled = false;
      }
      if (message.error) problems.replaceChildren(el('li', { textContent: message.error }));
      break;
    case 'problems':
      problems.replaceChildren(...message.problems.map((p) => el('li', { textContent: p.message })));
      break;
    case 'run':
      renderRun(message.run);
      break;
    case 'references':
      references = message.items;
      renderReferences();
      break;
    case 'refineSuggestion':
      showSuggestion(message.text);
      break;
    case 'refineGuided':
      showGuided();
      break;
  }
}

vscode.postMessage({ type: 'ready', ...(shownRunId ? { runId: shownRunId } : {}) });
