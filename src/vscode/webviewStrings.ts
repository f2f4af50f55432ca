// Every string the panel shows, localized on the host and sent to the webview in `init`.
import * as vscode from 'vscode';
import { USE_CASES, type RecommendationReason } from '../core/models';
import { REFINE_CHOICES, type RefineAspect } from '../core/prompt/refine';
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
    copyTaskId: vscode.l10n.t('Copy task ID'),
    insert: vscode.l10n.t('Insert'),
    copyMarkdown: vscode.l10n.t('Copy Markdown Link'),
    saveAs: vscode.l10n.t('Save As…'),
    vary: vscode.l10n.t('Vary'),
    insertOf: vscode.l10n.t('Insert image {0}'),
    copyMarkdownOf: vscode.l10n.t('Copy Markdown link of image {0}'),
    saveAsOf: vscode.l10n.t('Save image {0} as…'),
    varyOf: vscode.l10n.t('Vary image {0}'),
    copyUrlOf: vscode.l10n.t('Copy URL of image {0}'),
    imageLink: vscode.l10n.t('Link'),
    generateKeys: vscode.l10n.t('Generate ({0})'),
    recentPrompts: vscode.l10n.t('Recent prompts'),
    notHttps: vscode.l10n.t('Not shown: this address is not an https: link.'),
    retrySave: vscode.l10n.t('Retry saving'),
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
    vagueNotice: vscode.l10n.t('This prompt is short. A richer description (subject, setting, lighting, style) usually gives a better image, and each image costs credits.'),
    refine: vscode.l10n.t('Refine prompt'),
    refineTitle: vscode.l10n.t('Refine the prompt'),
    refineApply: vscode.l10n.t('Use this prompt'),
    refineCancel: vscode.l10n.t('Keep mine'),
    refineSuggested: vscode.l10n.t('Suggested prompt (you can edit it)'),
    refineWorking: vscode.l10n.t('Asking the chat model for a richer prompt…'),
    refineNone: vscode.l10n.t('(no change)'),
    'refine.style': vscode.l10n.t('Style'),
    'refine.lighting': vscode.l10n.t('Lighting'),
    'refine.framing': vscode.l10n.t('Framing'),
    'refine.background': vscode.l10n.t('Background'),
    'refine.style.photo': vscode.l10n.t('Photograph'),
    'refine.style.illustration': vscode.l10n.t('Digital illustration'),
    'refine.style.watercolor': vscode.l10n.t('Watercolor'),
    'refine.style.3d': vscode.l10n.t('3D render'),
    'refine.style.anime': vscode.l10n.t('Anime'),
    'refine.style.minimalist': vscode.l10n.t('Minimalist'),
    'refine.lighting.soft': vscode.l10n.t('Soft natural light'),
    'refine.lighting.golden': vscode.l10n.t('Golden hour'),
    'refine.lighting.studio': vscode.l10n.t('Studio lighting'),
    'refine.lighting.dramatic': vscode.l10n.t('Dramatic shadows'),
    'refine.lighting.night': vscode.l10n.t('Night'),
    'refine.framing.closeUp': vscode.l10n.t('Close-up'),
    'refine.framing.wide': vscode.l10n.t('Wide shot'),
    'refine.framing.topDown': vscode.l10n.t('Top-down'),
    'refine.framing.centered': vscode.l10n.t('Centered'),
    'refine.background.plain': vscode.l10n.t('Plain'),
    'refine.background.nature': vscode.l10n.t('Nature'),
    'refine.background.city': vscode.l10n.t('City'),
    'refine.background.interior': vscode.l10n.t('Interior'),
    'refine.background.blurred': vscode.l10n.t('Blurred'),
  };
  for (const useCase of USE_CASES) strings[`useCase.${useCase}`] = useCaseLabel(useCase);
  for (const reason of REASONS) strings[`reason.${reason}`] = recommendationText(reason);
  // Every refinement choice has its label (a new choice without one fails here, not in the panel).
  for (const aspect of Object.keys(REFINE_CHOICES) as RefineAspect[]) {
    for (const choice of REFINE_CHOICES[aspect]) if (!strings[`refine.${aspect}.${choice}`]) throw new Error(`No label for refine.${aspect}.${choice}`);
  }
  return strings;
}
