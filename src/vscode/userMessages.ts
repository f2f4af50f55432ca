// Plain, localized words for every state and failure a person can meet. Technical detail
// goes to the log channel, not here.
import * as vscode from 'vscode';
import { CreatOkError } from '../core/api/errors';
import type { Problem } from '../core/request';
import type { RecommendationReason, UseCase } from '../core/models';
import type { RunView } from '../core/panelMessages';
import { REFERENCE_MAX_BYTES, type ReferenceCheck } from '../core/references';
import { LedgerUnreadableError, type LedgerProblemKind } from '../core/spend/ledger';

export interface PlainMessage {
  message: string;
  hint?: string;
  /** A next step worth a button. */
  action?: 'setApiKey';
}

/** A failure of a call to CreatOK, in plain words, with what to try next. */
export function describeError(error: unknown, context: 'submit' | 'watch' | 'upload' | 'other'): PlainMessage {
  if (!(error instanceof CreatOkError)) {
    return { message: vscode.l10n.t('Something went wrong.'), hint: vscode.l10n.t('Open the details for more information.') };
  }
  if (context === 'submit' && error.details.mayHaveReachedServer) return describeUnconfirmed();
  switch (error.kind) {
    case 'unauthorized':
      return {
        message: vscode.l10n.t('Your CreatOK API key is missing or invalid.'),
        hint: vscode.l10n.t('Set a valid API key and try again.'),
        action: 'setApiKey',
      };
    case 'rateLimited':
      return { message: vscode.l10n.t('CreatOK is busy right now.'), hint: vscode.l10n.t('Wait a minute, then try again.') };
    case 'network':
    case 'timeout':
      return {
        message: vscode.l10n.t('CreatOK could not be reached.'),
        hint: context === 'watch' ? vscode.l10n.t('Will keep trying.') : vscode.l10n.t('Check your internet connection, then try again.'),
      };
    case 'server':
    case 'invalidAnswer':
      return {
        message: vscode.l10n.t('CreatOK had a problem answering.'),
        hint: context === 'watch' ? vscode.l10n.t('Will keep trying.') : vscode.l10n.t('Try again in a few minutes.'),
      };
    case 'apiError':
    case 'badRequest':
      return {
        message: error.details.apiMessage
          ? vscode.l10n.t('CreatOK did not accept the request: {0}', error.details.apiMessage)
          : vscode.l10n.t('CreatOK did not accept the request.'),
        hint: vscode.l10n.t('Check the prompt and the options, then try again.'),
      };
    case 'notFound':
      return { message: vscode.l10n.t('CreatOK does not know this task.'), hint: vscode.l10n.t('Check the task ID.') };
    case 'cancelled':
      return { message: vscode.l10n.t('Cancelled.') };
    case 'config':
      return { message: error.message, hint: vscode.l10n.t('Change creatok.baseUrl in your user settings.') };
  }
}

export function describeUnconfirmed(): PlainMessage {
  return {
    message: vscode.l10n.t('The connection dropped while sending the request, so it may or may not have been accepted.'),
    hint: vscode.l10n.t('It was not sent again, so you are not charged twice. Check your recent tasks on the CreatOK website before trying again.'),
  };
}

export function describeTaskFailure(reason: string | undefined): PlainMessage {
  return {
    message: reason ? vscode.l10n.t('The image could not be generated: {0}', reason) : vscode.l10n.t('The image could not be generated.'),
    hint: vscode.l10n.t('Try rewording the prompt or choosing another model, then generate again.'),
  };
}

export function phaseText(phase: RunView['phase'], status: string): string {
  switch (phase) {
    case 'confirming':
      return vscode.l10n.t('Waiting for your confirmation…');
    case 'cancelled':
      return vscode.l10n.t('Not generated: you cancelled. No credits were used.');
    case 'uploading':
      return vscode.l10n.t('Uploading reference images…');
    case 'submitting':
      return vscode.l10n.t('Sending the request…');
    case 'queued':
      return vscode.l10n.t('Queued: waiting for CreatOK to start…');
    case 'running':
      return status === 'running' ? vscode.l10n.t('Generating…') : vscode.l10n.t('Generating ({0})…', status);
    case 'succeeded':
      return vscode.l10n.t('Done.');
    case 'failed':
      return vscode.l10n.t('Failed.');
    case 'stopped':
      return vscode.l10n.t('Stopped watching. The task goes on at CreatOK; you can resume it later.');
    case 'unconfirmed':
      return vscode.l10n.t('Not sure whether the request was accepted.');
    case 'notStarted':
      return vscode.l10n.t('Not sent: the run folder could not be written. No credits were used.');
    case 'unknown':
      return vscode.l10n.t('The state of this run is not known.');
  }
}

export function problemText(problem: Problem): string {
  const p = problem.params;
  switch (problem.code) {
    case 'emptyPrompt':
      return vscode.l10n.t('Describe the image you want first.');
    case 'promptTooLong':
      return vscode.l10n.t('The prompt is too long (at most {0} characters).', p.max ?? '');
    case 'unknownModel':
      return vscode.l10n.t('The model {0} is not available. Choose one of: {1}.', p.model ?? '', p.allowed ?? '');
    case 'resolutionNotSupported':
      return vscode.l10n.t('{0} cannot make {1} images. Choose one of: {2}.', p.model ?? '', p.resolution ?? '', p.allowed ?? '');
    case 'aspectRatioNotSupported':
      return vscode.l10n.t('{0} cannot make the aspect ratio {1}. Choose one of: {2}.', p.model ?? '', p.aspectRatio ?? '', p.allowed ?? '');
    case 'countOutOfRange':
      return vscode.l10n.t('{0} makes between {1} and {2} images per request.', p.model ?? '', p.min ?? '', p.max ?? '');
    case 'tooManyReferences':
      return vscode.l10n.t('{0} takes at most {1} reference images; remove {2}.', p.model ?? '', p.max ?? '', Number(p.count) - Number(p.max));
  }
}

export function useCaseLabel(useCase: UseCase): string {
  switch (useCase) {
    case 'general':
      return vscode.l10n.t('General');
    case 'portrait':
      return vscode.l10n.t('Portrait or people');
    case 'product':
      return vscode.l10n.t('Product shot or e-commerce');
    case 'illustration':
      return vscode.l10n.t('Illustration or concept art');
    case 'preview':
      return vscode.l10n.t('Quick preview or iteration');
    case 'styleTransfer':
      return vscode.l10n.t('Style or subject from a reference image');
  }
}

export function recommendationText(reason: RecommendationReason): string {
  switch (reason) {
    case 'portrait':
      return vscode.l10n.t('best for portraits and photorealistic people.');
    case 'product':
      return vscode.l10n.t('best for product shots and e-commerce.');
    case 'illustration':
      return vscode.l10n.t('best for illustration and concept art.');
    case 'preview':
      return vscode.l10n.t('faster and lighter, good for quick previews.');
    case 'styleTransfer':
      return vscode.l10n.t('the best overall quality, and it takes reference images.');
    case 'general':
      return vscode.l10n.t('the best overall quality.');
    case 'wants1K':
      return vscode.l10n.t('it can make 1K images.');
    case 'unavailable':
      return vscode.l10n.t('the usual choice is not available, so this is the default model.');
  }
}

/** Why a file cannot be a reference image, naming it. */
export function referenceProblemText(check: Extract<ReferenceCheck, { ok: false }>): string {
  switch (check.problem) {
    case 'missing':
      return vscode.l10n.t('{0} is no longer there: it was moved or deleted.', check.name);
    case 'unreadable':
      return vscode.l10n.t('{0} cannot be read.', check.name);
    case 'empty':
      return vscode.l10n.t('{0} is empty.', check.name);
    case 'tooLarge':
      return vscode.l10n.t('{0} is too large for a reference image (at most {1} MB).', check.name, REFERENCE_MAX_BYTES / 1024 / 1024);
    case 'notAnImage':
      return vscode.l10n.t('{0} is not a PNG, JPEG, WebP or GIF image (whatever its name says).', check.name);
  }
}

/** Why the spend ledger cannot be used, in the user's language (the English detail is in the log). */
export function ledgerProblemText(kind: LedgerProblemKind | undefined, file: string | undefined, english: string): string {
  const where = file ?? 'spend-ledger.json';
  switch (kind) {
    case 'unreadable':
      return vscode.l10n.t('The spend ledger {0} could not be read.', where);
    case 'tooLarge':
      return vscode.l10n.t('The spend ledger {0} is too large to read.', where);
    case 'notJson':
      return vscode.l10n.t('The spend ledger {0} is not valid JSON.', where);
    case 'notLedger':
      return vscode.l10n.t('The spend ledger {0} is not a ledger this version can read.', where);
    default:
      return english;
  }
}

/** An error of the spend ledger as a user reads it: its own words when it is a ledger problem, else the system's message. */
export function ledgerErrorText(error: Error): string {
  return error instanceof LedgerUnreadableError ? ledgerProblemText(error.problemKind, error.file, error.message) : error.message;
}
