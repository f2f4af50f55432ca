// What a run's result.json holds, its schema for reading it back, and result.md for people.
import * as z from 'zod/mini';

export const RUN_STATUSES_FINAL = ['succeeded', 'failed', 'submit_failed'] as const;

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
  source: z.optional(z.enum(['panel', 'resume', 'tool'])),
  base_url: z.optional(z.string()),
});
export type RunRecord = z.infer<typeof runRecordSchema>;
export type RunError = z.infer<typeof runErrorSchema>;

export function isFinalRunStatus(status: string): boolean {
  return (RUN_STATUSES_FINAL as readonly string[]).includes(status);
}

function mdEscape(text: string): string {
  return text.replace(/([\\`*_{}[\]<>|#])/g, '\\$1');
}

/** result.md: the same facts as result.json, for people. Labels are English, like the CLI's. */
export function renderResultMarkdown(record: RunRecord): string {
  const lines: string[] = [];
  lines.push(`# Image generation ${record.run_id}`, '');
  lines.push(`- **Status:** ${record.status}`);
  lines.push(`- **Task ID:** ${record.task_id ? '`' + record.task_id + '`' : '(none yet)'}`);
  lines.push(`- **Model:** ${record.model}`);
  lines.push(`- **Resolution:** ${record.resolution}`);
  lines.push(`- **Aspect ratio:** ${record.aspect_ratio ?? '(default)'}`);
  lines.push(`- **Number of images:** ${record.n}`);
  lines.push(`- **Estimated credits:** ${record.estimated_credits ?? 'unknown'}`);
  lines.push(`- **Created:** ${record.created_at}`);
  lines.push(`- **Updated:** ${record.updated_at}`);
  lines.push('', '## Prompt', '', ...record.prompt.split('\n').map((l) => `> ${mdEscape(l)}`), '');
  if (record.images.length > 0) {
    lines.push('## Images', '');
    record.images.forEach((url, i) => {
      lines.push(`### Image ${i + 1}`, '', `![Image ${i + 1}](<${url}>)`, '', '```text', url, '```', '');
    });
  }
  if (record.error) {
    lines.push('## Error', '', mdEscape(record.error.message), '');
  }
  return lines.join('\n');
}
