// The extension's settings, read through zod: a bad value falls back to the default, with a warning.
import * as vscode from 'vscode';
import * as z from 'zod/mini';
import { DEFAULT_BASE_URL, normalizeBaseUrl } from '../core/api/client';

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

export interface Settings {
  baseUrl: string;
}

export function readSettings(onInvalid: (message: string) => void): Settings {
  const config = vscode.workspace.getConfiguration('creatok');
  // application scope: only the user's own settings count, never a workspace's.
  const raw = config.inspect<string>('baseUrl')?.globalValue ?? DEFAULT_BASE_URL;
  const parsed = baseUrlSchema.safeParse(raw);
  if (!parsed.success) {
    onInvalid(vscode.l10n.t('The setting creatok.baseUrl is not a valid http(s) address; using {0}.', DEFAULT_BASE_URL));
    return { baseUrl: DEFAULT_BASE_URL };
  }
  return { baseUrl: normalizeBaseUrl(parsed.data) };
}
