// "Refine prompt" with a chat model, where VS Code has one (vscode.lm): a richer prompt that
// keeps the user's idea and language. Nothing is ever submitted from here; the user accepts,
// edits or rejects the suggestion, and Generate still asks to confirm.
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { UseCase } from '../core/models';

const INSTRUCTIONS = [
  'You improve prompts for an image generation model.',
  "Rewrite the user's prompt so it gives a better image: keep the user's idea and subject, and add concrete detail about the subject, the setting, the lighting, the composition and the style.",
  "Write in the same language as the user's prompt. Answer with the new prompt only: one paragraph, no quotes, no explanations, at most 80 words.",
].join(' ');

/** The suggestion, or undefined when no chat model is available (or it failed). */
export async function refineWithChatModel(prompt: string, useCase: UseCase, logger: Logger, token?: vscode.CancellationToken): Promise<string | undefined> {
  let models: vscode.LanguageModelChat[] = [];
  try {
    models = await vscode.lm.selectChatModels();
  } catch (error) {
    logger.info(`refine: no chat models (${(error as Error).message})`);
  }
  const model = models[0];
  if (!model) return undefined;
  try {
    const messages = [vscode.LanguageModelChatMessage.User(`${INSTRUCTIONS}\nUse case: ${useCase}.\n\nPrompt:\n${prompt}`)];
    const response = await model.sendRequest(messages, { justification: vscode.l10n.t('To suggest a richer image prompt before you pay for an image.') }, token);
    let text = '';
    for await (const part of response.text) text += part;
    const suggestion = text.trim().replace(/^["“]|["”]$/g, '');
    logger.info(`refine: ${model.name} suggested ${suggestion.length} characters`);
    return suggestion || undefined;
  } catch (error) {
    logger.warn(`refine: the chat model failed (${(error as Error).message}); offering the guided refinement`);
    return undefined;
  }
}
