// The run the panel shows: its phase in plain words, progress, task id, and each image with its
// actions (named with the image's number for screen readers), or the next step after a failure.
import type { RunView } from '../core/panelMessages';
import { button, el } from './dom';
import type { Request } from './requests';

export interface RunViewContext {
  t: (key: string, ...args: (string | number)[]) => string;
  /** Sends a request; `control` waits for its reply and shows its error. */
  request: (message: Request, control?: HTMLButtonElement) => number;
}

/** A button whose request waits on the button itself. */
function requestButton(ctx: RunViewContext, label: string, message: () => Request | undefined): HTMLButtonElement {
  const b: HTMLButtonElement = button(label, () => {
    const m = message();
    if (m) ctx.request(m, b);
  });
  return b;
}

export function runViewNodes(run: RunView, ctx: RunViewContext): Node[] {
  const { t } = ctx;
  // The phase can take the focus (from script only) when the control that had it is gone.
  const children: Node[] = [el('p', { className: `phase phase-${run.phase}`, textContent: run.message, tabIndex: -1 })];
  if (run.hint) children.push(el('p', { className: 'hint', textContent: run.hint }));
  if (run.progress !== null && run.progress !== undefined && run.phase === 'running') {
    children.push(el('progress', { max: 100, value: run.progress, title: t('progress', run.progress) }));
  }
  if (run.taskId) children.push(el('p', { className: 'task-id', textContent: t('taskId', run.taskId) }));
  if (run.images.length > 0) {
    const list = el('ul', { className: 'images' });
    run.images.forEach((image, i) => {
      const n = i + 1;
      // Only a saved copy or an https: link is loaded; any other address is shown as text.
      const src = image.localSrc ?? (image.allowed ? (image.thumbnailUrl ?? image.url) : undefined);
      const preview = src ? el('img', { src, alt: t('imageAlt', n), loading: 'lazy' }) : el('p', { className: 'hint', textContent: t('notHttps') });
      // The address (long and signed) is there when asked for, not in the way.
      const summary = el('summary', { textContent: t('imageLink') });
      summary.setAttribute('aria-label', t('imageLinkOf', n));
      const link = el('details', { className: 'image-link' }, summary, el('code', { className: 'image-url', textContent: image.url }));
      link.dataset.key = `link-${n}`;
      // Each button says its image's number to a screen reader ("Insert image 2"), its visible
      // text first (label in name); `data-key` finds it again when the run is drawn anew.
      const named = (b: HTMLButtonElement, key: string): HTMLButtonElement => {
        b.setAttribute('aria-label', t(`${key}Of`, n));
        b.dataset.key = `${key}-${n}`;
        return b;
      };
      const actions = el('div', { className: 'actions image-actions' }, named(requestButton(ctx, t('copyUrl'), () => ({ type: 'copy', text: image.url })), 'copyUrl'));
      if (image.localSrc) {
        const act = (action: 'insert' | 'copyMarkdown' | 'saveAs' | 'vary'): HTMLButtonElement =>
          named(requestButton(ctx, t(action), () => ({ type: 'imageAction', runId: run.runId, index: i, action })), action);
        actions.append(act('insert'), act('copyMarkdown'), act('saveAs'), act('vary'));
      }
      list.append(el('li', {}, preview, actions, link));
    });
    children.push(el('h2', { textContent: t('images') }), list);
    children.push(el('div', { className: 'actions' },
      requestButton(ctx, t('copyAll'), () => ({ type: 'copy', text: run.images.map((i) => i.url).join('\n') })),
      requestButton(ctx, t('openResult'), () => ({ type: 'openResult', runId: run.runId })),
      requestButton(ctx, t('revealRun'), () => ({ type: 'revealRun', runId: run.runId })),
    ));
  } else if (run.runId && (run.phase === 'failed' || run.phase === 'unconfirmed')) {
    children.push(el('div', { className: 'actions' },
      requestButton(ctx, t('openResult'), () => ({ type: 'openResult', runId: run.runId })),
      requestButton(ctx, t('showLog'), () => ({ type: 'showLog' })),
    ));
  }
  if (run.action === 'setApiKey') {
    children.push(requestButton(ctx, t('setApiKey'), () => ({ type: 'setApiKey' })));
  }
  if (run.action === 'retrySave' && run.runId) {
    children.push(el('div', { className: 'actions' },
      requestButton(ctx, t('copyTaskId'), () => (run.taskId ? { type: 'copy', text: run.taskId } : undefined)),
      requestButton(ctx, t('retrySave'), () => ({ type: 'retrySave', runId: run.runId })),
    ));
  }
  return children;
}
