// What the run service's modules share: the public shapes of runs, events and results, the
// options, and a tracked run (what the service holds of one run while it works on it).
import type { CreatOkClient } from '../api/client';
import type { CreatOkError } from '../api/errors';
import type { Logger } from '../log';
import type { LimitCheck } from '../spend/ledgerEntries';
import type { TaskWatcher, WatchEndReason, WatchOptions } from '../watcher';
import type { RunRecord } from './record';
import { classifyStatus } from './runStatus';
import type { ArtifactStore } from './store';

/** Why a run ended: its watch's end, or `submitFailed` (refused, or its answer lost: `unconfirmed`). */
export type RunEndReason = WatchEndReason | 'submitFailed';

/** A run as the views see it. */
export interface RunSnapshot {
  record: RunRecord;
  store: ArtifactStore;
  /** Its task is being followed, here or in another window. */
  following: boolean;
  /** Another window follows it; this one reads the record it writes. */
  elsewhere: boolean;
  /** The last write failed with this message: the record lives in memory until a write lands. */
  unsaved?: string;
}

export type RunEvent =
  | { kind: 'started'; run: RunSnapshot }
  | { kind: 'updated'; run: RunSnapshot }
  | { kind: 'trouble'; run: RunSnapshot; error: CreatOkError }
  | { kind: 'ended'; run: RunSnapshot; reason: RunEndReason; error?: CreatOkError }
  | { kind: 'saveFailed'; run: RunSnapshot; error: Error }
  | { kind: 'saved'; run: RunSnapshot };

/** Why the spend gate sent nothing: a limit, or a price it could not check against one. */
export type SpendRefusal = Extract<LimitCheck, { ok: false }>;

/**
 * What every paid submit passes first (the spend ledger). `reserve` runs before anything is
 * written: it refuses (nothing is sent) or records the run as pending, under a lock shared by
 * every window; it throws when it cannot tell (nothing is sent either). `settle` records what
 * became of the request.
 */
export interface SubmitGate {
  reserve(store: ArtifactStore, record: RunRecord): Promise<{ ok: true } | { ok: false; refusal: SpendRefusal }>;
  /** `ifAbandoned`: only an entry still pending whose window is gone changes (a start-up resume learning what a dead window's run became). Resolves false when nothing was recorded. */
  settle(store: ArtifactStore, run: Pick<RunRecord, 'run_id' | 'task_id'>, outcome: SettledOutcome, options?: { ifAbandoned?: boolean }): Promise<void>;
}

export type SettledOutcome = 'accepted' | 'refused' | 'unconfirmed' | 'notSent';

export type SubmitResult =
  /** The run folder (`folder`) or the spend ledger (`ledger`) could not be written: nothing was sent, nothing charged. */
  | { kind: 'notStarted'; error: Error; where: 'folder' | 'ledger' }
  /** The spend gate refused it: nothing was written or sent. */
  | { kind: 'overLimit'; refusal: SpendRefusal }
  /** CreatOK refused the request (`submit_failed`), or its answer was lost (`unconfirmed`). */
  | { kind: 'failed'; run: RunSnapshot; error: Error }
  /** Accepted: the task is followed from now on (`run.unsaved` when the record could not be written). */
  | { kind: 'submitted'; run: RunSnapshot };

export type CheckResult = { kind: 'following'; run: RunSnapshot } | { kind: 'checked'; run: RunSnapshot };

export type RetryDownloadResult =
  /** Every image is saved. */
  | { kind: 'done'; run: RunSnapshot }
  /** Some could not be saved: `run.record.download_error` says which and why. */
  | { kind: 'failed'; run: RunSnapshot; message: string }
  | { kind: 'busy' }
  | { kind: 'unreadable'; message: string };

/** What a start-up resume did with the runs it found marked in progress. */
export interface ResumeSummary {
  /** Followed again (their task may still be running). */
  followed: number;
  /** Succeeded runs whose images are being saved now. */
  completing: number;
  /** Found still `submitting` with no window sending them: now `unconfirmed`. */
  unconfirmed: number;
  /** Marked folders whose record was never written (nothing was sent): removed. */
  abandoned: number;
}

export interface RunServiceOptions {
  client: () => Pick<CreatOkClient, 'submit' | 'getTaskStatus' | 'baseUrl'>;
  watcher: TaskWatcher;
  logger?: Logger;
  now?: () => Date;
  /** Saves a succeeded run's images into its folder; returns the record with the local files. */
  saveImages?: (record: RunRecord, store: ArtifactStore) => Promise<RunRecord>;
  /** Who this window is, in lease files. */
  ownerId?: string;
  /** How long a lease lasts without renewal (renewed every third of it). */
  leaseMs?: number;
  /** How often a run followed by another window is read back from disk. */
  observeMs?: number;
  /** Delays between attempts to save a record whose write failed (the last one repeats). */
  saveRetryMs?: number[];
  /** Passed by every paid submit (the spend ledger and the limits). */
  gate?: SubmitGate;
}

/** What the service holds of one run while it works on it. */
export interface Tracked {
  key: string;
  store: ArtifactStore;
  record: RunRecord;
  following: boolean;
  elsewhere: boolean;
  unsaved?: string;
  /** The steps of this run, in order: an older state never lands after a newer one. */
  steps: Promise<void>;
  stopRequested: boolean;
  watch: WatchOptions;
  leaseTimer?: ReturnType<typeof setInterval>;
  observeTimer?: ReturnType<typeof setInterval>;
  saveTimer?: ReturnType<typeof setTimeout>;
  saveAttempts: number;
  /** A lease renewal under way. */
  renewing?: Promise<void>;
  /** The paid request is under way (its outcome not known yet). */
  sending?: boolean;
}

/** Where a run lives: its artifacts folder and its id. */
export interface RunRef {
  store: ArtifactStore;
  runId: string;
}

export const keyOf = (store: ArtifactStore, runId: string): string => `${store.root}\u0000${runId}`;

export function finalReason(status: string): RunEndReason {
  return classifyStatus(status) === 'succeeded' ? 'succeeded' : 'failed';
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
