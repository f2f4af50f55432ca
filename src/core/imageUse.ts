// From a generated image to the user's work, as pure functions: the markup that inserts it in a
// document, the path from the document to the image, a short alt text from the prompt, file
// names from the prompt, and the recent prompts.
import * as path from 'node:path';
import type { RunRecord } from './runs/record';

/** The document's path to the image, with forward slashes (`../assets/x.png`, `x.png`). */
export function relativeImagePath(fromDir: string, imageFile: string, sep: string = path.sep): string {
  const impl = sep === '\\' ? path.win32 : path.posix;
  const relative = impl.relative(fromDir, imageFile);
  return relative.split(sep).join('/');
}

/** A short, plain alt text from a prompt: one line, at most `max` characters, cut at a word. */
export function altText(prompt: string, max = 80): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line || 'Generated image';
  const cut = line.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trim()}…`;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const escapeMarkdownAlt = (text: string): string => text.replace(/([\\[\]*_`<>])/g, '\\$1');

export type MarkupKind = 'markdown' | 'html' | 'plain';

export function markupKindOf(languageId: string): MarkupKind {
  if (['markdown', 'mdx', 'quarto'].includes(languageId)) return 'markdown';
  if (['html', 'vue', 'svelte', 'php', 'handlebars', 'javascriptreact', 'typescriptreact'].includes(languageId)) return 'html';
  return 'plain';
}

/** What is inserted: `![ALT](PATH)` in Markdown, `<img src="PATH" alt="ALT" />` in HTML and JSX, else the path. */
export function imageMarkup(kind: MarkupKind, relPath: string, alt: string): string {
  switch (kind) {
    case 'markdown': {
      // A destination with spaces or brackets goes between < >, which CommonMark allows.
      const target = /[\s()<>]/.test(relPath) ? `<${relPath.replace(/[<>]/g, (c) => encodeURIComponent(c))}>` : relPath;
      return `![${escapeMarkdownAlt(alt)}](${target})`;
    }
    case 'html':
      // Self-closed: valid HTML, and required in JSX/TSX.
      return `<img src="${escapeHtml(relPath)}" alt="${escapeHtml(alt)}" />`;
    case 'plain':
      return relPath;
  }
}

/** A file name from the prompt: lowercase words joined by "-", at most `max` characters, never a path. */
export function nameFromPrompt(prompt: string, max = 60): string {
  const words = prompt.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').match(/[\p{L}\p{N}]+/gu) ?? [];
  let name = '';
  for (const word of words) {
    const next = name ? `${name}-${word}` : word;
    if (next.length > max) {
      if (!name) name = word.slice(0, max);
      break;
    }
    name = next;
  }
  return name || 'image';
}

/** `base.ext`, or `base-2.ext`, `base-3.ext` … the first that `taken` does not hold. */
export function uniqueFileName(base: string, ext: string, taken: (name: string) => boolean): string {
  for (let i = 1; ; i++) {
    const name = `${base}${i === 1 ? '' : `-${i}`}${ext}`;
    if (!taken(name)) return name;
  }
}

/** The last `max` distinct prompts, newest first. */
export function recentPrompts(records: readonly RunRecord[], max = 50): string[] {
  const seen = new Set<string>();
  const prompts: string[] = [];
  for (const r of [...records].sort((a, b) => (a.created_at < b.created_at ? 1 : -1))) {
    const prompt = r.prompt.trim();
    if (!prompt || seen.has(prompt)) continue;
    seen.add(prompt);
    prompts.push(prompt);
    if (prompts.length >= max) break;
  }
  return prompts;
}
