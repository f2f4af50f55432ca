// Turns what the user chose into a request the chosen model can do, with its estimated cost.
import type { ImageModelInfo, SubmitBody } from './api/schemas';
import { aspectRatiosOf, findModel, guessUseCase, modelLabel, recommendModel, type Catalog, type UseCase } from './models';

export const DEFAULT_RESOLUTION = '2K';
export const DEFAULT_ASPECT_RATIO = '1:1';
export const DEFAULT_COUNT = 1;
export const MAX_PROMPT_LENGTH = 4000;

export interface GenerationChoice {
  prompt: string;
  model: string;
  resolution?: string;
  aspectRatio?: string;
  n?: number;
  referenceCount?: number;
}

export interface ResolvedRequest {
  prompt: string;
  model: string;
  modelLabel: string;
  resolution: string;
  aspectRatio: string;
  n: number;
  /** Credits for the whole request, or null when the price is not known. */
  estimatedCredits: number | null;
  currency: string;
}

export type ProblemCode =
  | 'emptyPrompt'
  | 'promptTooLong'
  | 'unknownModel'
  | 'resolutionNotSupported'
  | 'aspectRatioNotSupported'
  | 'countOutOfRange'
  | 'tooManyReferences';

export interface Problem {
  field: 'prompt' | 'model' | 'resolution' | 'aspectRatio' | 'n' | 'references';
  code: ProblemCode;
  /** Values for the message: the allowed options, the limit, and so on. */
  params: Record<string, string | number>;
}

/**
 * What someone asks to generate, wherever they ask (the panel, a chat tool): anything left out
 * is decided here, the same way for every caller.
 */
export interface GenerationRequest {
  prompt: string;
  /** Guessed from the prompt (and the references) when absent. */
  useCase?: UseCase;
  /** Recommended for the use case when absent. */
  model?: string;
  /** The model's defaults when absent. */
  resolution?: string;
  aspectRatio?: string;
  n?: number;
  referenceCount?: number;
}

export type Validation = { ok: true; request: ResolvedRequest } | { ok: false; problems: Problem[] };

/** The model's own defaults, else 2K / 1:1 / n = 1, each only where the model can do it. */
export function defaultsFor(model: ImageModelInfo): { resolution: string; aspectRatio: string; n: number } {
  const resolutions = model.limits.resolutions;
  const resolution = [model.defaults?.resolution, DEFAULT_RESOLUTION].find((r): r is string => !!r && resolutions.includes(r)) ?? resolutions[0]!;
  const ratios = aspectRatiosOf(model);
  const aspectRatio = [model.defaults?.aspect_ratio, DEFAULT_ASPECT_RATIO].find((r): r is string => !!r && ratios.includes(r)) ?? ratios[0]!;
  const wantedN = model.defaults?.n ?? DEFAULT_COUNT;
  const n = Math.min(Math.max(wantedN, model.limits.n.min), model.limits.n.max);
  return { resolution, aspectRatio, n };
}

export function estimateCredits(model: ImageModelInfo, resolution: string, n: number): number | null {
  const perImage = model.pricing?.by_resolution[resolution];
  return perImage === undefined ? null : perImage * n;
}

export function validateChoice(catalog: Catalog, choice: GenerationChoice): Validation {
  const problems: Problem[] = [];
  const prompt = choice.prompt.trim();
  if (!prompt) problems.push({ field: 'prompt', code: 'emptyPrompt', params: {} });
  else if (prompt.length > MAX_PROMPT_LENGTH) problems.push({ field: 'prompt', code: 'promptTooLong', params: { max: MAX_PROMPT_LENGTH } });

  const model = findModel(catalog, choice.model);
  if (!model) {
    problems.push({ field: 'model', code: 'unknownModel', params: { model: choice.model, allowed: catalog.models.map((m) => m.id).join(', ') } });
    return { ok: false, problems };
  }
  const defaults = defaultsFor(model);
  const resolution = choice.resolution ?? defaults.resolution;
  const aspectRatio = choice.aspectRatio ?? defaults.aspectRatio;
  const n = choice.n ?? defaults.n;
  const label = modelLabel(model);

  if (!model.limits.resolutions.includes(resolution)) {
    problems.push({ field: 'resolution', code: 'resolutionNotSupported', params: { model: label, resolution, allowed: model.limits.resolutions.join(', ') } });
  }
  const ratios = aspectRatiosOf(model);
  if (!ratios.includes(aspectRatio)) {
    problems.push({ field: 'aspectRatio', code: 'aspectRatioNotSupported', params: { model: label, aspectRatio, allowed: ratios.join(', ') } });
  }
  if (!Number.isInteger(n) || n < model.limits.n.min || n > model.limits.n.max) {
    problems.push({ field: 'n', code: 'countOutOfRange', params: { model: label, n, min: model.limits.n.min, max: model.limits.n.max } });
  }
  const references = choice.referenceCount ?? 0;
  const maxReferences = model.limits.max_reference_images ?? 0;
  if (references > maxReferences) {
    problems.push({ field: 'references', code: 'tooManyReferences', params: { model: label, count: references, max: maxReferences } });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    request: {
      prompt,
      model: model.id,
      modelLabel: label,
      resolution,
      aspectRatio,
      n,
      estimatedCredits: estimateCredits(model, resolution, n),
      currency: model.pricing?.currency ?? 'credits',
    },
  };
}

/** Fills what the request left out (use case, model, defaults), then checks it against the model. */
export function validateGeneration(catalog: Catalog, request: GenerationRequest): Validation {
  const referenceCount = request.referenceCount ?? 0;
  const useCase = request.useCase ?? guessUseCase(request.prompt, { hasReferences: referenceCount > 0 });
  const model = request.model ?? recommendModel(catalog, useCase, request.resolution).modelId;
  return validateChoice(catalog, { ...request, model, referenceCount });
}

export function toSubmitBody(request: ResolvedRequest, imageObjectKeys: string[] = []): SubmitBody {
  return {
    prompt: request.prompt,
    model: request.model,
    resolution: request.resolution,
    n: request.n,
    aspect_ratio: request.aspectRatio,
    ...(imageObjectKeys.length > 0 ? { imageObjectKeys } : {}),
  };
}
