// The one classification of a run's status, used by every view (tree, status bar, panel, chat
// tool): whatever the server called a state, a run is in exactly one of these phases.
import type { ReadResult, RunRecord } from './record';

/** What a record's `status` means. The server's own word stays in the record. */
export type RunStatus = 'submitting' | 'unconfirmed' | 'submitFailed' | 'queued' | 'running' | 'succeeded' | 'failed' | 'unknownTask' | 'unknown';

/** The status recorded when CreatOK says it does not know a run's task: final, never asked about again. */
export const UNKNOWN_TASK_STATUS = 'unknown_task';

/** What a person is told about a run: its status, and whether this window (or another) follows it. */
export const RUN_PHASES = ['submitting', 'unconfirmed', 'queued', 'running', 'succeeded', 'failed', 'stopped', 'unknown'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

const QUEUED = new Set(['queued', 'submitted', 'pending', 'created', 'waiting']);

export function classifyStatus(status: string): RunStatus {
  if (QUEUED.has(status)) return 'queued';
  switch (status) {
    case 'succeeded':
    case 'failed':
    case 'submitting':
    case 'unconfirmed':
    case 'unknown':
      return status;
    case 'submit_failed':
      return 'submitFailed';
    case UNKNOWN_TASK_STATUS:
      return 'unknownTask';
    default:
      // Any other word from the server ("processing", "running", …) means it is still working.
      return 'running';
  }
}

/** True once nothing more will happen to the run's task. */
export function isFinalStatus(status: string): boolean {
  const s = classifyStatus(status);
  return s === 'succeeded' || s === 'failed' || s === 'submitFailed' || s === 'unknownTask';
}

/** The phase of a run; `following` says whether a window is watching its task now. */
export function runPhase(record: RunRecord, following: boolean): RunPhase {
  const s = classifyStatus(record.status);
  switch (s) {
    case 'succeeded':
    case 'failed':
    case 'unconfirmed':
      return s;
    case 'submitFailed':
    case 'unknownTask':
      return 'failed';
    case 'submitting':
      // A record still "submitting" that nobody is sending: the window closed mid-submit.
      return following ? 'submitting' : 'unknown';
    case 'unknown':
      return 'unknown';
    case 'queued':
    case 'running':
      if (!record.task_id) return 'unknown';
      return following ? s : 'stopped';
  }
}

/** Whether the run's task may still be going on at CreatOK (worth watching again). */
export function isResumable(record: RunRecord): boolean {
  return !!record.task_id && !isFinalStatus(record.status);
}

/** A succeeded run some of whose images (of the `n` it asked for) are not saved in its folder. */
export function lacksImages(record: RunRecord): boolean {
  return classifyStatus(record.status) === 'succeeded' && record.images.slice(0, record.n).some((_, i) => !record.local_images?.[i]);
}

/** The start of the prompt, on one line, for a label. */
export function promptHead(prompt: string, max = 60): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The space-separated tags a tree item's menus match on (`viewItem =~ /tag/`). */
export function runTags(result: ReadResult, following: boolean, unsaved = false): string {
  if (!result.ok) return `run broken ${result.reason}`;
  const r = result.record;
  const tags = ['run', 'hasResult', runPhase(r, following)];
  if (r.task_id) tags.push('hasTask');
  if (following) tags.push('watching');
  else if (isResumable(r)) tags.push('resumable');
  if (r.images.length > 0) tags.push('hasImages');
  if (lacksImages(r)) tags.push('downloadIncomplete');
  if (r.local_images?.some(Boolean)) tags.push('hasLocalImages');
  if (r.prompt && r.model) tags.push('hasPrompt');
  if (unsaved) tags.push('unsaved');
  return tags.join(' ');
}
