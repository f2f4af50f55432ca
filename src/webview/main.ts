// The Generate Image panel's script. Plain DOM; all text is set with textContent (never HTML).
// It validates what the host sends, guesses the use case and recommends a model as the user
// types (formState.ts), and asks the host for everything else (requests.ts: every request gets a
// reply; the control that sent it waits for it and shows its error).
import { type UseCase } from '../core/models';
import { assessPrompt } from '../core/prompt/vagueness';
import { panelSchemas, type HostToWebview, type PanelCatalog, type PanelForm, type ReferenceView, type ReplyResult, type RunView, type WebviewToHost } from '../core/panelMessages';
import { el, field, fillSelect } from './dom';
import { EMPTY_FORM, resolveForm, type ResolvedForm } from './formState';
import { Requests } from './requests';
import { RefineView } from './refineView';
import { runViewNodes } from './runView';
import { vscodeApi } from './vscodeApi';

const vscode = vscodeApi<WebviewToHost>();
const requests = new Requests((message) => vscode.postMessage(message));
let strings: Record<string, string> = {};
let catalog: PanelCatalog | undefined;
let form: PanelForm = { ...EMPTY_FORM };
let pendingGenerate: number | undefined;
let references: ReferenceView[] = [];

/** What survives a reload of the panel: the form, and the run it was showing. */
const saved = vscode.getState() as { form?: PanelForm; runId?: string } | undefined;
if (saved?.form) form = { ...form, ...saved.form };
let shownRunId: string | undefined = typeof saved?.runId === 'string' ? saved.runId : undefined;

/** Sends a request whose reply re-enables `control` (and shows its error beside it). */
const request = (message: Parameters<Requests['send']>[0], control?: HTMLButtonElement): number => requests.send(message, control ? { control } : {});

function t(key: string, ...args: (string | number)[]): string {
  const template = strings[key] ?? key;
  return template.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)] ?? ''));
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
// Problems are said at once (role alert); the run's status politely (below).
const problemsRegion = el('div', { className: 'problems-region' }, problems);
problemsRegion.setAttribute('role', 'alert');
problemsRegion.setAttribute('aria-live', 'assertive');
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

function save(): void {
  vscode.setState({ form, runId: shownRunId });
}

/** Brings every control in line with the form and the catalogue; offers only what the model can do. */
function render(): void {
  if (!catalog) return;
  const resolved = resolveForm(catalog, form, references.length);
  form = resolved.form;
  const { options, model: m } = resolved;
  fillSelect(useCase, options.useCases.map((u) => ({ value: u, label: t(`useCase.${u}`) })), form.useCase);
  fillSelect(model, options.models, form.model);
  fillSelect(resolution, options.resolutions.map((r) => ({ value: r, label: r })), form.resolution);
  fillSelect(aspectRatio, options.aspectRatios.map((r) => ({ value: r, label: r })), form.aspectRatio);
  fillSelect(count, options.counts.map((c) => ({ value: c, label: c })), String(form.n));
  const rec = resolved.recommended;
  recommendation.textContent = form.model === rec.modelId ? t('recommended', rec.label, t(`reason.${rec.reason}`)) : t('recommendedChosen', m.label, rec.label);
  cost.textContent = resolved.credits === undefined ? t('costUnknown') : t('cost', resolved.credits);
  notice.hidden = catalog.source !== 'fallback';
  vagueBox.hidden = !assessPrompt(form.prompt).vague || !refinePanel.hidden;
  renderReferenceInfo(resolved);
  generate.disabled = pendingGenerate !== undefined;
  save();
}

const refine = new RefineView(refinePanel, {
  t: (key, ...args) => t(key, ...args),
  prompt: () => form.prompt,
  use: (text) => {
    prompt.value = text;
    form.prompt = text;
  },
  focusPrompt: () => prompt.focus(),
  changed: () => render(),
});

function renderReferenceInfo({ references: r, model: m }: ResolvedForm): void {
  referenceInfo.classList.toggle('problem', r.over > 0);
  if (r.count === 0) referenceInfo.textContent = t('referencesHint');
  else if (r.max === 0) referenceInfo.textContent = t('referencesNone', m.label);
  else if (r.over > 0) referenceInfo.textContent = t('referencesTooMany', m.label, r.max, r.over);
  else referenceInfo.textContent = t('referencesCount', r.count, r.max);
}

function renderReferences(): void {
  referenceList.replaceChildren(
    ...references.map((r) => {
      const remove = el('button', { type: 'button', className: 'icon', textContent: '×', title: t('removeReference', r.name) });
      remove.setAttribute('aria-label', t('removeReference', r.name));
      remove.addEventListener('click', () => request({ type: 'removeReference', id: r.id }, remove));
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
  // Ctrl+Enter (Cmd+Enter on a Mac) in the prompt generates; the button's tooltip says so.
  const keys = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘Enter' : 'Ctrl+Enter';
  generate.title = t('generateKeys', keys);
  prompt.setAttribute('aria-keyshortcuts', 'Control+Enter Meta+Enter');
  const reload = el('button', { type: 'button', className: 'link', textContent: t('reloadModels') });
  reload.addEventListener('click', () => request({ type: 'reloadModels' }, reload));
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
    problemsRegion,
    el('div', { className: 'actions' }, generate),
    status,
  );
  app.setAttribute('aria-busy', 'false');
  // The prompt is where the user starts: it has the focus when the panel opens.
  prompt.focus();
}

/** Focus that was lost (its control disabled or replaced) goes back to Generate. */
function focusLost(): boolean {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

prompt.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
    event.preventDefault();
    generate.click();
  }
});
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
addReference.addEventListener('click', () => request({ type: 'addReferences' }, addReference));
recent.addEventListener('click', () => request({ type: 'recentPrompts' }, recent));
refineButton.addEventListener('click', () => {
  refinePanel.replaceChildren(el('p', { textContent: t('refineWorking') }));
  refinePanel.hidden = false;
  render();
  request({ type: 'refinePrompt', prompt: form.prompt, useCase: form.useCase }, refineButton);
});
generate.addEventListener('click', () => {
  if (pendingGenerate !== undefined) return;
  generate.disabled = true;
  problems.replaceChildren();
  // Its errors go to the problems list above it (with the request checks' own problems).
  pendingGenerate = requests.send(
    { type: 'generate', form: { ...form, prompt: prompt.value } },
    {
      onReply: (error) => {
        pendingGenerate = undefined;
        generate.disabled = false;
        if (error) problems.replaceChildren(el('li', { textContent: error }));
        // Generate lost the focus when it disabled itself: it gets it back.
        if (focusLost()) generate.focus();
      },
    },
  );
});

function renderRun(run: RunView): void {
  if (run.runId) {
    shownRunId = run.runId;
    save();
  }
  status.hidden = false;
  status.dataset.phase = run.phase;
  // Drawn anew on every change (a copy saved, a status read): the focus and the open links stay
  // where they were, found again by their keys; a control that is gone leaves the focus on the
  // run's phase, never on Generate (where Enter would ask to pay again).
  const active = document.activeElement instanceof HTMLElement && status.contains(document.activeElement) ? document.activeElement : undefined;
  const focusKey = active?.closest<HTMLElement>('[data-key]')?.dataset.key;
  const focusSummary = active?.tagName === 'SUMMARY';
  const open = new Set([...status.querySelectorAll<HTMLDetailsElement>('details[data-key]')].filter((d) => d.open).map((d) => d.dataset.key));
  status.replaceChildren(...runViewNodes(run, { t, request }));
  for (const details of status.querySelectorAll<HTMLDetailsElement>('details[data-key]')) details.open = open.has(details.dataset.key);
  if (!active || !focusLost()) return;
  const again = focusKey ? status.querySelector<HTMLElement>(`[data-key="${focusKey}"]`) : null;
  const target = again && focusSummary ? again.querySelector('summary') : again;
  (target ?? status.querySelector<HTMLElement>('.phase'))?.focus();
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = panelSchemas().hostToWebviewSchema.safeParse(event.data);
  if (!parsed.success) return;
  handle(parsed.data);
});

/** What a request's reply carries: the state that request changed. */
function applyResult(result: ReplyResult): void {
  switch (result.kind) {
    case 'references':
      references = result.items;
      renderReferences();
      break;
    case 'catalog':
      catalog = result.catalog;
      render();
      break;
    case 'refinement':
      if (result.suggestion === null) refine.showGuided();
      else refine.showSuggestion(result.suggestion);
      break;
    case 'prefill':
      form = { ...form, ...result.form };
      prompt.value = form.prompt;
      render();
      break;
    case 'run':
      renderRun(result.run);
      break;
  }
}

function handle(message: HostToWebview): void {
  switch (message.type) {
    case 'init':
      strings = message.strings;
      catalog = message.catalog;
      if (message.form) form = { ...form, ...message.form };
      buildForm();
      render();
      break;
    case 'prefill':
      applyResult({ kind: 'prefill', form: message.form });
      break;
    case 'reply':
      if (message.result) applyResult(message.result);
      // A reply to no request of ours (a message the host could not read): said in the problems list.
      if (!requests.settle(message.requestId, message.error) && message.error) problems.replaceChildren(el('li', { textContent: message.error }));
      break;
    case 'problems':
      problems.replaceChildren(...message.problems.map((p) => el('li', { textContent: p.message })));
      break;
    case 'run':
      renderRun(message.run);
      break;
    case 'references':
      applyResult({ kind: 'references', items: message.items });
      break;
  }
}

vscode.postMessage({ type: 'ready', ...(shownRunId ? { runId: shownRunId } : {}) });
