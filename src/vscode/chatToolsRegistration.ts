// The language-model tools, registered at start-up; their code (chatTools.ts) is loaded when a
// chat first prepares or invokes one.
import * as vscode from 'vscode';
import type { ChatToolDeps } from './chatTools';
import { FirstUse } from './firstUse';

export const GENERATE_TOOL = 'creatok_generate_image';
export const CHECK_TOOL = 'creatok_check_image_task';

export function registerChatTools(deps: ChatToolDeps): vscode.Disposable[] {
  if (!vscode.lm?.registerTool) return [];
  const tools = new FirstUse(
    () => vscode.l10n.t('the chat tools'),
    () => import('./chatTools').then((m) => ({ generate: new m.GenerateImageTool(deps), check: new m.CheckImageTaskTool(deps) })),
    deps.logger,
  );
  type Loaded = Awaited<ReturnType<typeof tools.get>>;
  /** A tool whose calls go to the loaded one. */
  const onFirstUse = <T>(pick: (t: Loaded) => vscode.LanguageModelTool<T>): vscode.LanguageModelTool<T> => ({
    prepareInvocation: async (options, token) => pick(await tools.get()).prepareInvocation?.(options, token),
    invoke: async (options, token) => pick(await tools.get()).invoke(options, token),
  });
  return [tools, vscode.lm.registerTool(GENERATE_TOOL, onFirstUse((t) => t.generate)), vscode.lm.registerTool(CHECK_TOOL, onFirstUse((t) => t.check))];
}
