// Image links of a Markdown or HTML document whose target could be generated: `![alt](path)`
// and `<img src="path" alt="…">` with a relative (or workspace-rooted `/…`) path ending in .png,
// .jpg, .jpeg or .webp. Whether the file is missing is the caller's question (it needs the disk).
// Also: the prompt a link stands for, and where a generated image of another format goes.
import * as path from 'node:path';

export const GENERATABLE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;

/** At most this many links are read from one document (a document of thousands of images is cut there). */
export const MAX_LINKS_READ = 500;

export interface ImageLink {
  /** Offsets of the link's target in the text (what an edit of the path replaces). */
  start: number;
  end: number;
  /** Offsets of the whole image (`![…](…)` or `<img …>`): where the Quick Fix is offered. */
  whole: { start: number; end: number };
  /** The target as written. */
  written: string;
  /** The target as a path (percent-decoding undone, `<…>` removed), `/`-separated. */
  target: string;
  alt: string;
  kind: 'markdown' | 'html';
}

const MARKDOWN_IMAGE = /!\[((?:\\.|[^\]\\\n]){0,500})\]\(\s*(<[^>\n]{1,1000}>|[^\s()]{1,1000})(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)/g;
const HTML_IMG = /<img\b[^>]{0,2000}>/gi;

/** Every generatable image link of the text, in order (at most MAX_LINKS_READ). */
export function imageLinks(text: string, kind: 'markdown' | 'html'): ImageLink[] {
  const links: ImageLink[] = [];
  if (kind === 'markdown') {
    for (const m of text.matchAll(MARKDOWN_IMAGE)) {
      const written = m[2]!;
      const start = m.index! + m[0].indexOf(written, 2 + m[1]!.length);
      const link = linkOf(written, start, m[1]!.replace(/\\(.)/g, '$1'), 'markdown', { start: m.index!, end: m.index! + m[0].length });
      if (link) links.push(link);
      if (links.length >= MAX_LINKS_READ) return links;
    }
  }
  // HTML tags are read in both: Markdown allows inline HTML.
  for (const m of text.matchAll(HTML_IMG)) {
    const tag = m[0];
    const src = attribute(tag, 'src');
    if (!src) continue;
    const alt = attribute(tag, 'alt');
    const link = linkOf(src.value, m.index! + src.at, decodeEntities(alt?.value ?? ''), 'html', { start: m.index!, end: m.index! + tag.length });
    if (link) links.push(link);
    if (links.length >= MAX_LINKS_READ) break;
  }
  return links.sort((a, b) => a.start - b.start);
}

function attribute(tag: string, name: string): { value: string; at: number } | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>"']+))`, 'i').exec(tag);
  if (!m) return undefined;
  const value = m[2] ?? m[3] ?? m[4] ?? '';
  const quoted = m[2] !== undefined || m[3] !== undefined;
  return { value, at: m.index + m[0].length - value.length - (quoted ? 1 : 0) };
}

const decodeEntities = (text: string): string =>
  text.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" })[e]!);

function linkOf(written: string, start: number, alt: string, kind: ImageLink['kind'], whole: ImageLink['whole']): ImageLink | undefined {
  const bare = written.startsWith('<') && written.endsWith('>') ? written.slice(1, -1) : written;
  if (/^[a-z][a-z0-9+.-]*:/i.test(bare) || bare.startsWith('//') || bare.startsWith('#')) return undefined; // a URL, not a file
  let target: string;
  try {
    target = decodeURIComponent(bare.split(/[?#]/)[0]!);
  } catch {
    return undefined;
  }
  target = target.replace(/\\/g, '/');
  if (!GENERATABLE_EXTENSIONS.some((ext) => target.toLowerCase().endsWith(ext)) || target.includes('\0')) return undefined;
  const offset = written.startsWith('<') ? 1 : 0;
  return { start: start + offset, end: start + offset + bare.length, whole, written: bare, target, alt: alt.trim(), kind };
}

/** The absolute file a link points to: `/…` from the workspace folder, else from the document's folder. */
export function linkTargetFile(link: ImageLink, documentPath: string, workspaceFolder: string): string {
  return link.target.startsWith('/') ? path.join(workspaceFolder, link.target) : path.resolve(path.dirname(documentPath), link.target);
}

/** The prompt a link stands for: its alt text, else its file name in words (`red-bicycle_2.png` → "red bicycle 2"). */
export function promptOfLink(link: Pick<ImageLink, 'alt' | 'target'>): string {
  if (link.alt) return link.alt.slice(0, 2000);
  const name = path.posix.basename(link.target).replace(/\.[^.]+$/, '');
  return name.replace(/[-_.]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/\s+/g, ' ').trim() || 'image';
}

/** Where a generated image goes for a link: the target itself when the format matches, else beside it with its true extension. */
export function fileForFormat(target: string, servedExtension: string): { file: string; renamed: boolean } {
  const wanted = path.extname(target).toLowerCase();
  const served = servedExtension.toLowerCase();
  const same = wanted === served || ([wanted, served].every((e) => e === '.jpg' || e === '.jpeg'));
  return same ? { file: target, renamed: false } : { file: target.slice(0, target.length - path.extname(target).length) + served, renamed: true };
}

/**
 * The link as written, naming `newFileName` instead (same folder): only the file name changes,
 * percent-encoded like a link (spaces, parentheses), unless the link was written with raw spaces.
 */
export function renamedLink(written: string, newFileName: string): string {
  const at = written.lastIndexOf('/');
  const name = /\s/.test(written) ? newFileName : encodeURI(newFileName).replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'));
  return `${written.slice(0, at + 1)}${name}`;
}
