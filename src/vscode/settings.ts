// The extension's settings, read through zod: a bad value falls back to the default, with a warning.
import * as vscode from 'vscode';
import * as z from 'zod/mini';
import { DEFAULT_BASE_URL, normalizeBaseUrl } from '../core/api/client';
import { Disposable } from './disposable';

const baseUrlSchema = z.string().check(
  z.trim(),
  z.refine((v) => {
    try {
      normalizeBaseUrl(v);
      return true;
    } catch {
      return false;
    }
  }),
);

export const DEFAULT_WATCH_BUDGET_MINUTES = 30;

export const DEFAULT_TIMEOUT_SECONDS = 60;

export interface Settings {
  baseUrl: string;
  /** Why the user's creatok.baseUrl is refused (then nothing is sent anywhere). */
  baseUrlRefused?: string;
  /** Per request. */
  timeoutMs: number;
  /** How long a task is watched before "still running, resume later". */
  watchBudgetMs: number;
  /** Workspace-relative folder where successful runs' images are also copied ('' = none). */
  imagesFolder: string;
  /** Estimated credits a day may use (0 = no limit). */
  dailyCreditLimit: number;
  /** Estimated credits a calendar month may use (0 = no limit). */
  monthlyCreditLimit: number;
}

const budgetSchema = z.number().check(z.minimum(1), z.maximum(24 * 60));
const timeoutSchema = z.number().check(z.minimum(5), z.maximum(600));

export function readSettings(onInvalid: (message: string) => void): Settings {
  const config = vscode.workspace.getConfiguration('creatok');
  // application scope: only the user's own settings count, never a workspace's.
  const raw = config.inspect<string>('baseUrl')?.globalValue ?? DEFAULT_BASE_URL;
  const parsed = baseUrlSchema.safeParse(raw);
  let baseUrl = DEFAULT_BASE_URL;
  let baseUrlRefused: string | undefined;
  if (parsed.success) baseUrl = normalizeBaseUrl(parsed.data);
  else {
    // Not a fallback to the default: the key was meant for that address, and goes nowhere else.
    baseUrlRefused = vscode.l10n.t(
      'The setting creatok.baseUrl ({0}) is refused: the API key is only sent to https: addresses, or http: on this machine (127.0.0.1, localhost, ::1). Nothing was sent.',
      String(raw),
    );
    onInvalid(baseUrlRefused);
  }
  const budget = budgetSchema.safeParse(config.get<unknown>('watchBudgetMinutes', DEFAULT_WATCH_BUDGET_MINUTES));
  if (!budget.success) {
    onInvalid(vscode.l10n.t('The setting creatok.watchBudgetMinutes must be a number of minutes between 1 and 1440; using {0}.', DEFAULT_WATCH_BUDGET_MINUTES));
  }
  const timeout = timeoutSchema.safeParse(config.get<unknown>('requestTimeoutSeconds', DEFAULT_TIMEOUT_SECONDS));
  if (!timeout.success) {
    onInvalid(vscode.l10n.t('The setting creatok.requestTimeoutSeconds must be a number of seconds between 5 and 600; using {0}.', DEFAULT_TIMEOUT_SECONDS));
  }
  const folder = z.string().check(z.maxLength(500)).safeParse(config.get<unknown>('imagesFolder', ''));
  if (!folder.success) onInvalid(vscode.l10n.t('The setting creatok.imagesFolder must be a folder path inside the workspace; images are not copied.'));
  // application scope, like baseUrl: a workspace (a cloned repository) cannot lift the user's limit.
  const limit = z.number().check(z.minimum(0)).safeParse(config.inspect<unknown>('dailyCreditLimit')?.globalValue ?? 0);
  if (!limit.success) onInvalid(vscode.l10n.t('The setting creatok.dailyCreditLimit must be a number of credits (0 for no limit); no limit is applied.'));
  const monthly = z.number().check(z.minimum(0)).safeParse(config.inspect<unknown>('monthlyCreditLimit')?.globalValue ?? 0);
  if (!monthly.success) onInvalid(vscode.l10n.t('The setting creatok.monthlyCreditLimit must be a number of credits (0 for no limit); no limit is applied.'));
  return {
    imagesFolder: folder.success ? folder.data.trim() : '',
    dailyCreditLimit: limit.success ? limit.data : 0,
    monthlyCreditLimit: monthly.success ? monthly.data : 0,
    baseUrl,
    ...(baseUrlRefused ? { baseUrlRefused } : {}),
    watchBudgetMs: (budget.success ? budget.data : DEFAULT_WATCH_BUDGET_MINUTES) * 60_000,
    timeoutMs: (timeout.success ? timeout.data : DEFAULT_TIMEOUT_SECONDS) * 1000,
  };
}

/**
 * The settings, read once and again only when a `creatok.*` setting changes: pollers and
 * factories ask often, and an invalid value is reported once per change, not once per read.
 */
export class SettingsCache extends Disposable {
  private cached: Settings | undefined;

  constructor(private readonly onInvalid: (message: string) => void) {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('creatok')) this.cached = undefined;
      }),
    );
  }

  current(): Settings {
    return (this.cached ??= readSettings(this.onInvalid));
  }
}
