// The panel's form against the catalogue, without the DOM: the use case guessed from the prompt
// (until the user picks one), the recommended model, and only what the chosen model can do
// (resolutions, aspect ratios, counts), with the cost. The view renders what this returns.
import { guessUseCase, recommendFrom, USE_CASES, type RecommendationReason } from '../core/models';
import type { ModelOption, PanelCatalog, PanelForm } from '../core/panelMessages';

export interface FormOptions {
  useCases: readonly string[];
  models: readonly { value: string; label: string }[];
  resolutions: readonly string[];
  aspectRatios: readonly string[];
  counts: readonly string[];
}

export interface ResolvedForm {
  /** The form brought in line with the model's limits. */
  form: PanelForm;
  model: ModelOption;
  recommended: { modelId: string; label: string; reason: RecommendationReason };
  options: FormOptions;
  /** Estimated credits for the whole request; undefined when the price is not known. */
  credits: number | undefined;
  references: { count: number; max: number; over: number };
}

export const EMPTY_FORM: PanelForm = { prompt: '', useCase: 'general', useCaseChosen: false, model: '', modelChosen: false, resolution: '', aspectRatio: '', n: 1 };

/** `wanted` when it is one of `values`, else the first value ('' when there is none). */
function pick(values: readonly string[], wanted: string): string {
  return values.includes(wanted) ? wanted : (values[0] ?? '');
}

export function resolveForm(catalog: PanelCatalog, current: PanelForm, referenceCount: number): ResolvedForm {
  const form = { ...current };
  if (!form.useCaseChosen) form.useCase = guessUseCase(form.prompt, { hasReferences: referenceCount > 0 });
  const rec = recommendFrom(
    catalog.models.map((m) => ({ id: m.id, resolutions: m.resolutions })),
    catalog.defaultModel,
    form.useCase,
    form.resolution === '1K' ? '1K' : undefined,
  );
  if (!form.modelChosen || !catalog.models.some((m) => m.id === form.model)) form.model = rec.modelId;
  const model = catalog.models.find((m) => m.id === form.model)!;
  form.resolution = pick(model.resolutions, form.resolution || model.defaults.resolution);
  form.aspectRatio = pick(model.aspectRatios, form.aspectRatio || model.defaults.aspectRatio);
  const counts: string[] = [];
  for (let i = model.nMin; i <= model.nMax; i++) counts.push(String(i));
  form.n = Number(pick(counts, String(form.n || model.defaults.n)));
  const perImage = model.pricePerImage?.[form.resolution];
  return {
    form,
    model,
    recommended: { modelId: rec.modelId, label: catalog.models.find((m) => m.id === rec.modelId)?.label ?? rec.modelId, reason: rec.reason },
    options: {
      useCases: USE_CASES,
      models: catalog.models.map((m) => ({ value: m.id, label: m.label })),
      resolutions: model.resolutions,
      aspectRatios: model.aspectRatios,
      counts,
    },
    credits: perImage === undefined ? undefined : perImage * form.n,
    references: { count: referenceCount, max: model.maxReferenceImages, over: Math.max(0, referenceCount - model.maxReferenceImages) },
  };
}
