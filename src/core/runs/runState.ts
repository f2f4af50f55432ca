// What the Tasks view and the status bar say of a run, from its record and whether it is watched.
import { isFinalRunStatus, type RunRecord } from './record';
import type { ReadResult } from './store';

export type RunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'stopped' | 'unknown';

export function runState(record: RunRecord, watching: boolean): RunState {
  if (record.status === 'succeeded') return 'succeeded';
  if (record.status === 'failed' || record.status === 'submit_failed') return 'failed';
  if (!record.task_id || record.status === 'unconfirmed' || record.status === 'submitting' || record.status === 'unknown') return 'unknown';
  if (!watching) return 'stopped';
  return record.status === 'queued' || record.status === 'submitted' ? 'queued' : 'running';
}

/** Whether the run's task may still be going on at CreatOK (worth watching again). */
export function isResumable(record: RunRecord): boolean {
  return !!record.task_id && !isFinalRunStatus(record.status);
}

/** The start of the prompt, on one line, for a label. */
export function promptHead(prompt: string, max = 60): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The space-separated tags a tree item's menus match on (`viewItem =~ /tag/`). */
export function runTags(result: ReadResult, watching: boolean): string {
  if (!result.ok) return `run broken ${result.reason}`;
  const r = result.record;
  const tags = ['run', 'hasResult', runState(r, watching)];
  if (r.task_id) tags.push('hasTask');
  if (watching) tags.push('watching');
  else if (isResumable(r)) tags.push('resumable');
  if (r.images.length > 0) tags.push('hasImages');
  if (r.status === 'succeeded' && r.images.some((_, i) => !r.local_images?.[i])) tags.push('downloadIncomplete');
  if (r.prompt && r.model) tags.push('hasPrompt');
  return tags.join(' ');
}
