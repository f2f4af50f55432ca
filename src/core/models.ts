// The model catalogue (from the capabilities endpoint, or the seed's table when it cannot be
// reached), the use-case guess from a prompt, and the model recommendation for a use case.
import type { ImageCapabilities, ImageModelInfo } from './api/schemas';

export const USE_CASES = ['general', 'portrait', 'product', 'illustration', 'preview', 'styleTransfer'] as const;
export type UseCase = (typeof USE_CASES)[number];

/** Aspect ratios offered when the server does not list any for a model. */
export const COMMON_ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4'];

export interface Catalog {
  models: ImageModelInfo[];
  defaultModel: string;
  /** `server`: read from the capabilities endpoint; `fallback`: the seed's table. */
  source: 'server' | 'fallback';
}

/** The seed's table: used only when the capabilities endpoint cannot be reached. No prices. */
export const FALLBACK_CATALOG: Catalog = {
  source: 'fallback',
  defaultModel: 'nano-banana-2',
  models: [
    {
      id: 'nano-banana-2',
      label: 'Nano Banana 2',
      defaults: { resolution: '2K', n: 1 },
      limits: { resolutions: ['1K', '2K', '4K'], n: { min: 1, max: 4 } },
    },
    {
      id: 'nano-banana-pro',
      label: 'Nano Banana Pro',
      defaults: { resolution: '2K', n: 1 },
      limits: { resolutions: ['1K', '2K', '4K'], n: { min: 1, max: 4 } },
    },
    {
      id: 'seedream-5.0-lite',
      label: 'Seedream 5.0 Lite',
      defaults: { resolution: '2K', n: 1 },
      limits: { resolutions: ['2K', '4K'], n: { min: 1, max: 4 } },
    },
  ],
};

export function catalogFromCapabilities(image: ImageCapabilities): Catalog {
  const defaultModel = image.models.some((m) => m.id === image.default_model) ? image.default_model! : image.models[0]!.id;
  return { source: 'server', defaultModel, models: image.models };
}

export function findModel(catalog: Catalog, id: string): ImageModelInfo | undefined {
  return catalog.models.find((m) => m.id === id);
}

export function modelLabel(model: ImageModelInfo): string {
  return model.label ?? model.id;
}

export function aspectRatiosOf(model: ImageModelInfo): string[] {
  return model.limits.aspect_ratios ?? COMMON_ASPECT_RATIOS;
}

// Words that suggest a use case, English and Chinese. Matched case-insensitively; English
// words on word boundaries, Chinese as substrings.
const USE_CASE_WORDS: Record<Exclude<UseCase, 'general' | 'styleTransfer'>, { en: string[]; zh: string[] }> = {
  portrait: {
    en: ['portrait', 'portraits', 'headshot', 'selfie', 'face', 'person', 'people', 'man', 'woman', 'girl', 'boy', 'child', 'photorealistic person', 'model posing'],
    zh: ['人像', '肖像', '头像', '自拍', '人物', '女孩', '男孩', '女人', '男人', '写真', '证件照'],
  },
  product: {
    en: ['product', 'products', 'e-commerce', 'ecommerce', 'packshot', 'listing', 'shop', 'store', 'packaging', 'bottle', 'sneaker', 'catalog', 'catalogue', 'advert', 'mockup'],
    zh: ['产品', '商品', '电商', '主图', '包装', '淘宝', '详情页', '样机'],
  },
  illustration: {
    en: ['illustration', 'illustrated', 'concept art', 'concept', 'drawing', 'painting', 'anime', 'cartoon', 'poster', 'character design', 'watercolor', 'watercolour', 'fantasy', 'comic', 'hero image'],
    zh: ['插画', '概念', '绘画', '动漫', '卡通', '海报', '水彩', '漫画', '原画'],
  },
  preview: {
    en: ['quick', 'draft', 'sketch', 'preview', 'iteration', 'iterate', 'rough', 'test image', 'thumbnail'],
    zh: ['草图', '预览', '快速', '草稿', '迭代', '试一下', '粗略'],
  },
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An English word or phrase, matched case-insensitively on letter boundaries. */
function wordPattern(word: string): RegExp {
  return new RegExp(`(^|[^\\p{L}])${escapeRegExp(word)}($|[^\\p{L}])`, 'iu');
}

// Compiled on the first guess (unicode regexes are not free at start-up).
let useCasePatterns: { useCase: UseCase; en: RegExp[]; zh: string[] }[] | undefined;
const patternsByUseCase = (): NonNullable<typeof useCasePatterns> =>
  (useCasePatterns ??= Object.entries(USE_CASE_WORDS).map(([useCase, words]) => ({ useCase: useCase as UseCase, en: words.en.map(wordPattern), zh: words.zh })));

/** With a reference image, these words ask for its style or its subject in a new scene. */
const REFERENCE_WORDS = {
  en: ['in the style of', 'style of', 'same style', 'styled like', 'style transfer', 'like the reference', 'like this image', 'this product', 'the reference', 'based on'],
  zh: ['风格', '参考图', '参考这张', '按照这张', '同款', '这个产品', '照着'],
};
let referencePatterns: RegExp[] | undefined;

/**
 * Guesses the use case from the prompt's words (English and Chinese); `general` when nothing
 * points anywhere. With reference images, "in the style of" and the like mean style transfer.
 */
export function guessUseCase(prompt: string, options: { hasReferences?: boolean } = {}): UseCase {
  if (options.hasReferences && ((referencePatterns ??= REFERENCE_WORDS.en.map(wordPattern)).some((re) => re.test(prompt)) || REFERENCE_WORDS.zh.some((w) => prompt.includes(w)))) {
    return 'styleTransfer';
  }
  let best: UseCase = 'general';
  let bestScore = 0;
  for (const { useCase, en, zh } of patternsByUseCase()) {
    const score = en.filter((re) => re.test(prompt)).length + zh.filter((w) => prompt.includes(w)).length;
    if (score > bestScore) {
      best = useCase;
      bestScore = score;
    }
  }
  return best;
}

/** Why a model was recommended; the UI turns it into one plain, localized line. */
export type RecommendationReason = 'portrait' | 'product' | 'illustration' | 'preview' | 'styleTransfer' | 'general' | 'wants1K' | 'unavailable';

export interface Recommendation {
  modelId: string;
  reason: RecommendationReason;
}

const PREFERRED_MODEL: Record<UseCase, string | undefined> = {
  portrait: 'nano-banana-2',
  product: 'nano-banana-pro',
  illustration: 'nano-banana-2',
  preview: 'seedream-5.0-lite',
  styleTransfer: 'nano-banana-2',
  general: undefined,
};

/** What the recommendation needs to know of a model. */
export interface ModelRef {
  id: string;
  resolutions: string[];
}

/**
 * The seed's advice, limited to the models that exist. A `wantedResolution` of 1K steers
 * away from a model that has no 1K (Seedream).
 */
export function recommendFrom(models: ModelRef[], defaultModel: string, useCase: UseCase, wantedResolution?: string): Recommendation {
  const byId = (id: string): ModelRef | undefined => models.find((m) => m.id === id);
  let model = byId(PREFERRED_MODEL[useCase] ?? defaultModel);
  const reason: RecommendationReason = model ? useCase : 'unavailable';
  if (!model) model = byId(defaultModel) ?? models[0]!;
  if (wantedResolution && !model.resolutions.includes(wantedResolution)) {
    const withResolution = models.filter((m) => m.resolutions.includes(wantedResolution));
    const pick = ['nano-banana-2', 'nano-banana-pro'].map(byId).find((m) => m && withResolution.includes(m)) ?? withResolution[0];
    if (pick) return { modelId: pick.id, reason: wantedResolution === '1K' ? 'wants1K' : reason };
  }
  return { modelId: model.id, reason };
}

export function recommendModel(catalog: Catalog, useCase: UseCase, wantedResolution?: string): Recommendation {
  const refs = catalog.models.map((m) => ({ id: m.id, resolutions: m.limits.resolutions }));
  return recommendFrom(refs, catalog.defaultModel, useCase, wantedResolution);
}
