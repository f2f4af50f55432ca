// What a run's result.json holds, its schema for reading it back, and result.md for people.
import * as z from 'zod/mini';
import { checkUrl } from '../urlPolicy';
import { isFinalStatus } from './runStatus';

export const runErrorSchema = z.looseObject({
  kind: z.optional(z.string()),
  message: z.string(),
  code: z.optional(z.number()),
});

export const runRecordSchema = z.looseObject({
  run_id: z.string().check(z.minLength(1)),
  /** null until the submit answered; "submission unconfirmed" runs keep null. */
  task_id: z.nullable(z.string().check(z.minLength(1))),
  /** submitting | unconfirmed | submit_failed | queued | running | succeeded | failed | any server status */
  status: z.string().check(z.minLength(1)),
  prompt: z.string(),
  model: z.string(),
  resolution: z.string(),
  aspect_ratio: z.nullable(z.string()),
  n: z.int().check(z.positive()),
  estimated_credits: z.nullable(z.number()),
  images: z.array(z.string()),
  thumbnails: z.optional(z.array(z.nullable(z.string()))),
  progress: z.nullish(z.number()),
  raw: z.looseObject({ submit: z.optional(z.unknown()), status: z.optional(z.unknown()) }),
  error: z.nullable(runErrorSchema),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.nullish(z.string()),
  /** Downloaded copies, relative to the outputs folder (`images/image_1.png`), null where the download failed. */
  local_images: z.optional(z.array(z.nullable(z.string()))),
  download_error: z.nullish(z.string()),
  /** Why the downloads failed, when it was this machine's disk (full, read-only): not retried as a network fault. */
  download_error_kind: z.nullish(z.enum(['disk'])),
  /** Images the server listed beyond what the run asked for (or with overlong addresses): counted, never fetched. */
  images_ignored: z.optional(z.int().check(z.nonnegative())),
  /** Reference images sent with the task: workspace-relative path (or file name), size, type, objectKey. */
  references: z.optional(
    z.array(z.looseObject({ path: z.string(), size: z.number(), type: z.string(), objectKey: z.string() })),
  ),
  source: z.optional(z.enum(['panel', 'resume', 'tool'])),
  /** Copies in the project (creatok.imagesFolder, or made by Insert and Copy Markdown Link), workspace-relative. */
  copies: z.optional(z.array(z.string())),
  base_url: z.optional(z.string()),
  /**
   * The missing image this run was generated for ("Generate Missing Image"): its first image is
   * written at `target`; `link` is the link as written in `document`. Both paths are relative to
   * `root`, the document's workspace folder (in a multi-root workspace, maybe not the run's).
   */
  fill: z.optional(
    z.object({ root: z.string().check(z.maxLength(4096)), document: z.string().check(z.maxLength(4096)), target: z.string().check(z.maxLength(4096)), link: z.string().check(z.maxLength(4096)) }),
  ),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

/** A record read back from a run folder, or why it could not be. */
export type ReadResult = { ok: true; record: RunRecord } | { ok: false; reason: 'missing' | 'unreadable' | 'invalid' | 'tooLarge'; message: string };
export type RunError = z.infer<typeof runErrorSchema>;

/**
 * What to write when `next` replaces `onDisk` (another window may have written meanwhile):
 * nothing an earlier write recorded is lost (a task id, images, local files), and a final
 * state is never replaced by a non-final one.
 */
function keepDiskStateOf(onDisk: RunRecord, next: RunRecord): boolean {
  return isFinalStatus(onDisk.status) && !isFinalStatus(next.status);
}

export function mergeRecords(onDisk: RunRecord, next: RunRecord): RunRecord {
  const keepDiskState = keepDiskStateOf(onDisk, next);
  const localImages = Array.from({ length: Math.max(onDisk.local_images?.length ?? 0, next.local_images?.length ?? 0) }, (_, i) => next.local_images?.[i] ?? onDisk.local_images?.[i] ?? null);
  return {
    ...onDisk,
    ...next,
    task_id: next.task_id ?? onDisk.task_id,
    images: next.images.length > 0 || (isFinalStatus(next.status) && !keepDiskStateOf(onDisk, next)) ? next.images : onDisk.images,
    thumbnails: next.images.length > 0 || (isFinalStatus(next.status) && !keepDiskStateOf(onDisk, next)) ? next.thumbnails : onDisk.thumbnails,
    ...(localImages.length > 0 ? { local_images: localImages } : {}),
    raw: { ...onDisk.raw, ...next.raw },
    ...(onDisk.copies || next.copies ? { copies: withCopies(onDisk.copies, next.copies ?? []) } : {}),
    ...(keepDiskState
      ? { status: onDisk.status, error: onDisk.error, finished_at: onDisk.finished_at, progress: onDisk.progress }
      : {}),
    created_at: onDisk.created_at < next.created_at ? onDisk.created_at : next.created_at,
    updated_at: onDisk.updated_at > next.updated_at ? onDisk.updated_at : next.updated_at,
  };
}

/** At most this many project copies are listed in a record (the newest kept). */
export const MAX_LISTED_COPIES = 100;

/** The copies a record lists, with `added` (workspace-relative paths), each once. */
export function withCopies(listed: readonly string[] | undefined, added: readonly string[]): string[] {
  return [...new Set([...(listed ?? []), ...added])].slice(-MAX_LISTED_COPIES);
}

function mdEscape(text: string): string {
  // ":" and "@" too, and "www.": the Markdown preview turns plain addresses into links.
  return text
    .replace(/([\\`*_{}[\]<>|#!()~:@])/g, '\\$1')
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}\\.`)
    .replace(/[\r\n]+/g, ' ');
}

/** A link target for result.md: allowed URLs only, normalized (no spaces, brackets or line breaks). */
function linkTarget(url: string): string | undefined {
  const checked = checkUrl(url);
  return checked.ok ? checked.url.href.replace(/[()[\]]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()) : undefined;
}

/** result.md: the same facts as result.json, for people. Labels are English, like the CLI's. Everything quoted is escaped. */
export function renderResultMarkdown(record: RunRecord): string {
  const lines: string[] = [];
  lines.push(`# Image generation ${mdEscape(record.run_id)}`, '');
  lines.push(`- **Status:** ${mdEscape(record.status)}`);
  // Task ids are checked (letters, digits, "_.:-") before a record is written: safe in a code span.
  lines.push(`- **Task ID:** ${record.task_id && /^[A-Za-z0-9_.:-]+$/.test(record.task_id) ? '`' + record.task_id + '`' : record.task_id ? mdEscape(record.task_id) : '(none yet)'}`);
  lines.push(`- **Model:** ${mdEscape(record.model)}`);
  lines.push(`- **Resolution:** ${mdEscape(record.resolution)}`);
  lines.push(`- **Aspect ratio:** ${record.aspect_ratio ? mdEscape(record.aspect_ratio) : '(default)'}`);
  lines.push(`- **Number of images:** ${record.n}`);
  lines.push(`- **Estimated credits:** ${record.estimated_credits ?? 'unknown'}`);
  lines.push(`- **Created:** ${mdEscape(record.created_at)}`);
  lines.push(`- **Updated:** ${mdEscape(record.updated_at)}`);
  lines.push('', '## Prompt', '', ...record.prompt.split('\n').map((l) => `> ${mdEscape(l)}`), '');
  if (record.references && record.references.length > 0) {
    lines.push('## Reference images', '');
    for (const r of record.references) lines.push(`- ${mdEscape(r.path)} (${mdEscape(r.type)}, ${r.size} bytes), uploaded as ${mdEscape(r.objectKey)}`);
    lines.push('');
  }
  if (record.images.length > 0) {
    lines.push('## Images', '');
    record.images.forEach((url, i) => {
      const local = record.local_images?.[i];
      const safeLocal = local && /^images\/[A-Za-z0-9][A-Za-z0-9._-]*$/.test(local) ? local : undefined;
      const target = safeLocal ?? linkTarget(url);
      lines.push(`### Image ${i + 1}`, '');
      if (target) lines.push(`![Image ${i + 1}](<${target}>)`, '');
      if (safeLocal) lines.push(`Saved as [${safeLocal}](<${safeLocal}>).`, '');
      if (!linkTarget(url)) lines.push('This address is not an https: link, so it is not shown as one or downloaded.', '');
      lines.push('URL:', '', '~~~~text', url.replace(/[\r\n]+/g, ' ').replace(/~~~~/g, '~ ~ ~ ~'), '~~~~', '');
    });
    if (record.download_error) lines.push(`Some images could not be saved: ${mdEscape(record.download_error)}`, '');
    if (record.images_ignored) lines.push(`CreatOK listed ${record.images_ignored} more images than were asked for; they were not downloaded.`, '');
    if (record.copies && record.copies.length > 0) lines.push(`Copied to: ${record.copies.map(mdEscape).join(', ')}`, '');
  }
  if (record.error) {
    lines.push('## Error', '', mdEscape(record.error.message), '');
  }
  return lines.join('\n');
}
