// Small DOM helpers for the webviews: elements built with text only (never HTML), labelled
// fields, and selects whose options are rebuilt only when they change (typing in the prompt
// must not rebuild every list, which would also lose a screen reader's place).
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) node.append(child);
  return node;
}

/** A labelled control, with a place for a message about it (an error, announced). */
export function field(id: string, label: string, control: HTMLElement): HTMLElement {
  control.id = id;
  return el('div', { className: 'field' }, el('label', { htmlFor: id, textContent: label }), control);
}

export function button(label: string, onClick: () => void, className = 'secondary'): HTMLButtonElement {
  const b = el('button', { type: 'button', className, textContent: label });
  b.addEventListener('click', onClick);
  return b;
}

const optionKeys = new WeakMap<HTMLSelectElement, string>();

/** Sets a select's options (only when they differ from what it has) and its value; returns the value. */
export function fillSelect(select: HTMLSelectElement, options: readonly { value: string; label: string }[], selected: string): string {
  const key = JSON.stringify(options);
  if (optionKeys.get(select) !== key) {
    select.replaceChildren(...options.map((o) => el('option', { value: o.value, textContent: o.label })));
    optionKeys.set(select, key);
  }
  const value = options.some((o) => o.value === selected) ? selected : (options[0]?.value ?? '');
  select.value = value;
  return value;
}

/**
 * Shows `message` right after `control` (replacing an earlier one), announced to screen
 * readers; removes it when `message` is undefined.
 */
export function showMessageAfter(control: HTMLElement, message: string | undefined): void {
  const existing = control.nextElementSibling;
  const current = existing instanceof HTMLElement && existing.classList.contains('control-error') ? existing : undefined;
  if (message === undefined) {
    current?.remove();
    return;
  }
  const note = current ?? el('p', { className: 'control-error' });
  note.setAttribute('role', 'alert');
  note.textContent = message;
  if (!current) control.after(note);
}
