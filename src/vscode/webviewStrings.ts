// Every string the panel shows, localized on the host and sent to the webview in `init`.
import * as vscode from 'vscode';
import { USE_CASES, type RecommendationReason } from '../core/models';
import { recommendationText, useCaseLabel } from './userMessages';

const REASONS: RecommendationReason[] = ['portrait', 'product', 'illustration', 'preview', 'styleTransfer', 'general', 'wants1K', 'unavailable'];

export function webviewStrings(): Record<string, string> {
  const strings: Record<string, string> = {
    title: vscode.l10n.t('Generate Image'),
    prompt: vscode.l10n.t('Prompt'),
    promptPlaceholder: vscode.l10n.t('Describe the image: subject, setting, lighting, style…'),
    useCase: vscode.l10n.t('Use case'),
    model: vscode.l10n.t('Model'),
    resolution: vscode.l10n.t('Resolution'),
    aspectRatio: vscode.l10n.t('Aspect ratio'),
    count: vscode.l10n.t('Number of images'),
    generate: vscode.l10n.t('Generate'),
    recommended: vscode.l10n.t('Recommended: {0}, {1}'),
    recommendedChosen: vscode.l10n.t('You chose {0}. Recommended for this use case: {1}.'),
    cost: vscode.l10n.t('Estimated cost: {0} credits'),
    costUnknown: vscode.l10n.t('Estimated cost: unknown (the price list could not be loaded)'),
    fallbackCatalog: vscode.l10n.t('CreatOK could not be reached, so the built-in model list is shown.'),
    reloadModels: vscode.l10n.t('Try again'),
    images: vscode.l10n.t('Images'),
    copyUrl: vscode.l10n.t('Copy URL'),
    copyAll: vscode.l10n.t('Copy all URLs'),
    openResult: vscode.l10n.t('Open result'),
    revealRun: vscode.l10n.t('Reveal run folder'),
    setApiKey: vscode.l10n.t('Set API Key'),
    showLog: vscode.l10n.t('Details'),
    taskId: vscode.l10n.t('Task ID: {0}'),
    imageAlt: vscode.l10n.t('Generated image {0}'),
    copied: vscode.l10n.t('Copied'),
    progress: vscode.l10n.t('{0}% done'),
    references: vscode.l10n.t('Reference images'),
    addReference: vscode.l10n.t('Add reference image'),
    removeReference: vscode.l10n.t('Remove {0}'),
    referencesHint: vscode.l10n.t('Optional: an image whose style or subject to use. Right-click an image in the Explorer to add it.'),
    referencesCount: vscode.l10n.t('{0} of at most {1} for this model'),
    referencesTooMany: vscode.l10n.t('{0} takes at most {1} reference images: remove {2}.'),
    referencesNone: vscode.l10n.t('{0} takes no reference images.'),
  };
  for (const useCase of USE_CASES) strings[`useCase.${useCase}`] = useCaseLabel(useCase);
  for (const reason of REASONS) strings[`reason.${reason}`] = recommendationText(reason);
  return strings;
}
