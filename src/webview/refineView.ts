// "Refine prompt": a chat model's suggestion to accept, edit or reject, or (no chat model) the
// guided refinement, whose choices of style, lighting, framing and background build the prompt
// here, with no network call.
import { REFINE_CHOICES, refinePrompt, type RefineAspect, type RefineChoices } from '../core/prompt/refine';
import { button, el, field, fillSelect } from './dom';

export interface RefineDeps {
  t: (key: string, ...args: (string | number)[]) => string;
  /** The prompt as typed now. */
  prompt: () => string;
  /** Puts the refined prompt into the form. */
  use: (text: string) => void;
  focusPrompt: () => void;
  /** The panel opened or closed: the form is rendered again. */
  changed: () => void;
}

export class RefineView {
  constructor(
    private readonly panel: HTMLElement,
    private readonly deps: RefineDeps,
  ) {}

  /** A chat model's suggestion: editable, then accepted or rejected. */
  showSuggestion(text: string): void {
    const { t } = this.deps;
    const suggestion = el('textarea', { rows: 4, value: text });
    this.open(el('h2', { textContent: t('refineTitle') }), field('refineSuggestion', t('refineSuggested'), suggestion), this.actions(() => suggestion.value));
  }

  /** No chat model: choices for style, lighting, framing and background build the prompt here. */
  showGuided(): void {
    const { t } = this.deps;
    const choices: RefineChoices = {};
    const preview = el('p', { className: 'refine-preview' });
    const update = (): void => {
      preview.textContent = refinePrompt(this.deps.prompt(), choices);
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
    this.open(el('h2', { textContent: t('refineTitle') }), el('div', { className: 'grid' }, ...selects), preview, this.actions(() => refinePrompt(this.deps.prompt(), choices)));
  }

  close(): void {
    this.panel.hidden = true;
    this.panel.replaceChildren();
    this.deps.changed();
  }

  private open(...children: Node[]): void {
    this.panel.replaceChildren(...children);
    this.panel.hidden = false;
    this.deps.changed();
  }

  private actions(current: () => string): HTMLElement {
    const { t } = this.deps;
    const apply = (): void => {
      this.deps.use(current());
      this.close();
      this.deps.focusPrompt();
    };
    return el('div', { className: 'actions' }, button(t('refineApply'), apply, 'primary'), button(t('refineCancel'), () => this.close()));
  }
}
