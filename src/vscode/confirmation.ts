// What the user is asked before paying, and what a refusal by the limits says: the modal's text
// (the prompt, who asked, model, resolution, count, aspect ratio, references, credits, earlier
// runs that may have been charged), the modal itself, and the limit messages.
import * as vscode from 'vscode';
import type { ReferenceFile } from '../core/references';
import type { ResolvedRequest } from '../core/request';
import type { RunRecord } from '../core/runs/record';
import { promptHead } from '../core/runs/runStatus';
import type { SpendRefusal } from '../core/runs/runTypes';
import { ledgerErrorText, type PlainMessage } from './userMessages';

/** What the confirmation must also say: earlier runs that may have been charged without an answer; and its text. */
export interface ConfirmContext {
  unconfirmed: RunRecord[];
  /** The modal's message and detail, as shown (the integration tests read them). */
  text: ConfirmationText;
}

export interface ConfirmationText {
  message: string;
  detail: string;
}

/** Asks the user to confirm a paid request; the integration tests replace it (the test driver skips modals). */
export type ConfirmRequest = (request: ResolvedRequest, references: ReferenceFile[], context: ConfirmContext) => Promise<boolean>;

/** How much of the prompt the confirmation shows. */
export const CONFIRM_PROMPT_CHARS = 300;

/**
 * The prompt as the modal shows it: on one line, with line breaks, tabs, control and bidi
 * characters made spaces, so that a prompt (maybe written by an agent) cannot draw lines of its
 * own that look like the model or the cost.
 */
export function shownPromptText(prompt: string): string {
  return prompt.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * The modal's text: the cost first, then who asked for it when a chat agent did, model,
 * resolution, count, aspect ratio, references, where a missing image will be saved, and last the
 * prompt (its first 300 characters on one line, and its length when longer).
 */
export function confirmationText(request: ResolvedRequest, references: ReferenceFile[], unconfirmed: RunRecord[], requestedBy?: string, savedAs?: string): ConfirmationText {
  const credits =
    request.estimatedCredits === null
      ? vscode.l10n.t('Estimated cost: unknown (the price list could not be loaded)')
      : vscode.l10n.t('Estimated cost: {0} credits', request.estimatedCredits);
  const prompt = [...shownPromptText(request.prompt)]; // by code point: a cut never splits a character
  const shownPrompt =
    prompt.length > CONFIRM_PROMPT_CHARS
      ? vscode.l10n.t('Prompt: "{0}…" ({1} characters in all)', prompt.slice(0, CONFIRM_PROMPT_CHARS).join(''), [...request.prompt].length)
      : vscode.l10n.t('Prompt: "{0}"', prompt.join(''));
  const detail = [
    credits,
    ...(requestedBy ? [vscode.l10n.t('Requested by a chat agent (tool {0}). Read the prompt: text in your files can steer an agent.', requestedBy)] : []),
    vscode.l10n.t('Model: {0}', request.modelLabel),
    vscode.l10n.t('Resolution: {0}', request.resolution),
    vscode.l10n.t('Number of images: {0}', request.n),
    vscode.l10n.t('Aspect ratio: {0}', request.aspectRatio),
    ...(references.length > 0 ? [vscode.l10n.t('Reference images: {0}', references.map((r) => vscode.workspace.asRelativePath(r.file, false)).join(', '))] : []),
    ...(savedAs ? [vscode.l10n.t('The first image will be saved as {0}.', savedAs)] : []),
    ...unconfirmed.map((r) => unconfirmedWarning(r)),
    shownPrompt,
  ].join('\n');
  return { message: vscode.l10n.t('Generate with CreatOK? This uses paid credits.'), detail };
}

/** The modal's text for several requests at once: each prompt, model, resolution and cost, and the total. */
export function batchConfirmationText(requests: ResolvedRequest[], total: number | null, unconfirmed: RunRecord[]): ConfirmationText {
  const cost = (credits: number | null): string => (credits === null ? vscode.l10n.t('price unknown') : vscode.l10n.t('{0} credits', credits));
  const lines = requests.map((r, i) => vscode.l10n.t('{0}. "{1}" · {2} · {3} · ×{4} · {5}', i + 1, promptHead(shownPromptText(r.prompt), 100), r.modelLabel, r.resolution, r.n, cost(r.estimatedCredits)));
  const detail = [
    ...lines,
    total === null ? vscode.l10n.t('Estimated cost: unknown (the price list could not be loaded)') : vscode.l10n.t('Total estimated cost: {0} credits', total),
    ...unconfirmed.map((r) => unconfirmedWarning(r)),
  ].join('\n');
  return { message: vscode.l10n.t('Generate {0} missing images with CreatOK? This uses paid credits.', requests.length), detail };
}

function unconfirmedWarning(r: RunRecord): string {
  return vscode.l10n.t(
    'Careful: an earlier request ("{0}", {1}) may have been accepted by CreatOK although no answer came back. Check your recent tasks on the CreatOK website first, so you are not charged twice.',
    promptHead(r.prompt, 40),
    new Date(r.created_at).toLocaleString(vscode.env.language),
  );
}

/** The modal itself. */
export async function confirmRequest(_request: ResolvedRequest, _references: ReferenceFile[], context: ConfirmContext): Promise<boolean> {
  const generate = vscode.l10n.t('Generate');
  const choice = await vscode.window.showWarningMessage(context.text.message, { modal: true, detail: context.text.detail }, generate);
  return choice === generate;
}

/** Why a limit refused a request: the limit, what is spent, and what the request would add. */
export function overLimitMessage(refusal: SpendRefusal): PlainMessage {
  const hint = vscode.l10n.t('Change creatok.dailyCreditLimit or creatok.monthlyCreditLimit in your settings to allow more (0 means no limit). Spending is counted across every workspace and window.');
  switch (refusal.kind) {
    case 'unknownCost':
      return { message: vscode.l10n.t('Not sent: the price of this request is unknown (the price list could not be loaded), so your credit limit of {0} credits cannot be kept.', refusal.limit), hint };
    case 'daily':
      return { message: vscode.l10n.t('Not sent: this request (about {0} credits) would pass your daily limit of {1} credits ({2} used today).', refusal.credits ?? 0, refusal.limit, refusal.spend.today), hint };
    case 'monthly':
      return { message: vscode.l10n.t('Not sent: this request (about {0} credits) would pass your monthly limit of {1} credits ({2} used this month).', refusal.credits ?? 0, refusal.limit, refusal.spend.month), hint };
  }
}

export function uncountedMessage(error: Error): PlainMessage {
  return {
    message: vscode.l10n.t('Not sent: what you spent could not be counted, so your credit limits cannot be kept.'),
    hint: ledgerErrorText(error),
  };
}
