// The language-model tools, registered at start-up; their code (chatTools.ts) is loaded when a
// chat first prepares or invokes one.
import * as vscode from 'vscode';
import type { ChatToolDeps, CheckToolInput, GenerateToolInput } from './chatTools';

export const GENERATE_TOOL = 'creatok_generate_image';
export const CHECK_TOOL = 'creatok_check_image_task';

export function registerChatTools(deps: ChatToolDeps): vscode.Disposable[] {
  if (!vscode.lm?.registerTool) return [];
  let loaded: Promise<{ generate: vscode.LanguageModelTool<GenerateToolInput>; check: vscode.LanguageModelTool<CheckToolInput> }> | undefined;
  const tools = (): NonNullable<typeof loaded> =>
    (loaded ??= import('./chatTools').then((m) => ({ generate: new m.GenerateImageTool(deps), check: new m.CheckImageTaskTool(deps) })));
  /** A tool whose calls go to the loaded one. */
  const onFirstUse = <T>(pick: (t: Awaited<ReturnType<typeof tools>>) => vscode.LanguageModelTool<T>): vscode.LanguageModelTool<T> => ({
    prepareInvocation: async (options, token) => (await tools().then(pick)).prepareInvocation?.(options, token),
    invoke: async (options, token) => (await tools().then(pick)).invoke(options, token),
  });
  return [vscode.lm.registerTool(GENERATE_TOOL, onFirstUse((t) => t.generate)), vscode.lm.registerTool(CHECK_TOOL, onFirstUse((t) => t.check))];
}
