// How a run is shown, the same everywhere: its label, short state, icon, menu tags and tooltip
// (Tasks view, status bar), the panel's run view, and the message at its end. Every state comes
// from the one classification in core/runs/runStatus.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CreatOkError } from '../core/api/errors';
import type { RunView } from '../core/panelMessages';
import type { RunRecord } from '../core/runs/record';
import type { RunEndReason, RunSnapshot } from '../core/runs/runService';
import { promptHead, runPhase, UNKNOWN_TASK_STATUS, type RunPhase } from '../core/runs/runStatus';
import { LOCAL_IMAGE_PATTERN, type ArtifactStore } from '../core/runs/store';
import { isAllowedUrl } from '../core/urlPolicy';
import { describeError, describeTaskFailure, describeUnconfirmed, phaseText, type PlainMessage } from './userMessages';

/** What the presenter needs of a run: its record, and what the run service knows of it. */
export type RunShown = Pick<RunSnapshot, 'record' | 'following'> & Partial<Pick<RunSnapshot, 'store' | 'elsewhere' | 'unsaved'>>;

const PHASE_ICONS: Record<RunPhase, [string, string | undefined]> = {
  submitting: ['cloud-upload', 'charts.blue'],
  unconfirmed: ['warning', 'list.warningForeground'],
  queued: ['clock', 'charts.yellow'],
  running: ['sync~spin', 'charts.blue'],
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  stopped: ['debug-pause', undefined],
  unknown: ['question', undefined],
};

/** A few words for the state, for a list or the status bar. */
export function phaseLabel(phase: RunPhase): string {
  switch (phase) {
    case 'submitting':
      return vscode.l10n.t('sending');
    case 'unconfirmed':
      return vscode.l10n.t('not confirmed');
    case 'queued':
      return vscode.l10n.t('queued');
    case 'running':
      return vscode.l10n.t('generating');
    case 'succeeded':
      return vscode.l10n.t('done');
    case 'failed':
      return vscode.l10n.t('failed');
    case 'stopped':
      return vscode.l10n.t('not watched');
    case 'unknown':
      return vscode.l10n.t('unknown');
  }
}

export function phaseIcon(phase: RunPhase): vscode.ThemeIcon {
  const [icon, color] = PHASE_ICONS[phase];
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}

export function runLabel(record: RunRecord, max = 60): string {
  return record.prompt ? promptHead(record.prompt, max) : vscode.l10n.t('Task {0}', record.task_id ?? record.run_id);
}

/** "3 minutes ago", "yesterday" … in VS Code's language. */
export function ageText(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (!Number.isFinite(seconds)) return '';
  const format = new Intl.RelativeTimeFormat(vscode.env.language, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, 'second');
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3600), 'hour');
  return format.format(Math.round(seconds / 86_400), 'day');
}

/** The line under a run's label: model, state, and "in another window" or "not saved" when so. */
export function runStateText(run: RunShown): string {
  const parts = [phaseLabel(runPhase(run.record, run.following))];
  if (run.elsewhere) parts.push(vscode.l10n.t('in another window'));
  if (run.unsaved) parts.push(vscode.l10n.t('not saved yet'));
  return parts.join(', ');
}

export function runTooltip(run: RunShown): vscode.MarkdownString {
  const { record } = run;
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.supportHtml = false;
  tooltip.appendText(record.prompt || vscode.l10n.t('(prompt not known: resumed by task ID)'));
  tooltip.appendMarkdown('\n\n---\n\n');
  tooltip.appendText(vscode.l10n.t('State: {0}', runStateText(run)) + '\n');
  tooltip.appendText(vscode.l10n.t('Task ID: {0}', record.task_id ?? '-') + '\n');
  if (record.model) tooltip.appendText(vscode.l10n.t('Model: {0}', record.model) + '\n');
  if (record.estimated_credits !== null) tooltip.appendText(vscode.l10n.t('Estimated cost: {0} credits', record.estimated_credits) + '\n');
  tooltip.appendText(vscode.l10n.t('Started: {0}', new Date(record.created_at).toLocaleString(vscode.env.language)) + '\n');
  tooltip.appendText(vscode.l10n.t('Updated: {0}', new Date(record.updated_at).toLocaleString(vscode.env.language)));
  if (record.error) tooltip.appendText('\n' + record.error.message);
  if (run.unsaved) tooltip.appendText('\n' + unsavedText(record, run.unsaved));
  const refused = record.images.filter((u) => !isAllowedUrl(u)).length;
  if (refused > 0) tooltip.appendText('\n' + vscode.l10n.t('{0} image links are not https: links: kept as text, never opened or downloaded.', refused));
  return tooltip;
}

export function unsavedText(record: RunRecord, why: string): string {
  return record.task_id
    ? vscode.l10n.t('The record could not be saved in the workspace ({0}). CreatOK accepted task {1}: it is kept, and saving is retried.', why, record.task_id)
    : vscode.l10n.t('The record could not be saved in the workspace ({0}); saving is retried.', why);
}

/** What to tell about a run that ended (nothing for a plain success: the images say it). */
export function endMessage(reason: RunEndReason, record: RunRecord, error?: CreatOkError): PlainMessage | undefined {
  switch (reason) {
    case 'failed':
      return describeTaskFailure(record.error?.message);
    case 'notFound':
    case 'unauthorized':
    case 'config':
      return describeError(error, 'watch');
    case 'budgetExhausted':
      return { message: vscode.l10n.t('Still running after the watch time: stopped watching. Resume it later from its task ID.') };
    case 'stopped':
      return { message: phaseText('stopped', '') };
    case 'succeeded':
    // The flow that sent it says why (its reply, its own message).
    case 'submitFailed':
      return undefined;
  }
}

/** The panel's view of a run. */
export function toRunView(run: RunShown, message?: PlainMessage): RunView {
  const { record } = run;
  const phase = runPhase(record, run.following);
  const plain = message ?? (phase === 'failed' ? failureOf(record) : phase === 'unconfirmed' ? describeUnconfirmed() : undefined);
  const outputs = run.store ? outputsDirOf(run.store, record) : undefined;
  const hints = [plain?.hint, run.elsewhere ? vscode.l10n.t('Being watched in another window.') : undefined, run.unsaved ? unsavedText(record, run.unsaved) : undefined];
  return {
    runId: record.run_id,
    taskId: record.task_id,
    phase,
    status: record.status,
    message: plain?.message ?? phaseText(phase, record.status),
    hint: hints.filter(Boolean).join(' ') || undefined,
    action: run.unsaved ? 'retrySave' : plain?.action,
    progress: record.progress ?? null,
    images: record.images.map((url, i) => {
      const local = record.local_images?.[i];
      const thumbnail = record.thumbnails?.[i];
      return {
        url,
        allowed: isAllowedUrl(url),
        thumbnailUrl: thumbnail && isAllowedUrl(thumbnail) ? thumbnail : null,
        ...(local && outputs && LOCAL_IMAGE_PATTERN.test(local) ? { localPath: path.join(outputs, local) } : {}),
      };
    }),
  };
}

/** A view for the steps before a run exists (confirming, cancelled, uploading, not started). */
export function flowView(phase: 'confirming' | 'cancelled' | 'uploading' | 'submitting' | 'notStarted' | 'failed', message?: PlainMessage): RunView {
  return { runId: '', taskId: null, phase, status: phase, message: message?.message ?? phaseText(phase, ''), hint: message?.hint, action: message?.action, images: [] };
}

function failureOf(record: RunRecord): PlainMessage {
  if (record.status === UNKNOWN_TASK_STATUS) return { message: vscode.l10n.t('CreatOK does not know this task.'), hint: vscode.l10n.t('Check the task ID.') };
  if (record.status === 'submit_failed' && record.error) {
    return { message: vscode.l10n.t('CreatOK did not accept the request: {0}', record.error.message), hint: vscode.l10n.t('Check the prompt and the options, then try again.') };
  }
  return describeTaskFailure(record.error?.message);
}

function outputsDirOf(store: ArtifactStore, record: RunRecord): string | undefined {
  try {
    return store.outputsDir(record.run_id);
  } catch {
    return undefined;
  }
}
