// zod schemas for every answer of the CreatOK Open Skills API (see README, "API contract").
// Parsing is tolerant where the contract is silent: unknown fields pass through, optional
// blocks may be absent, but every field we rely on is checked. zod/mini keeps the bundles small.
import * as z from 'zod/mini';

/** Every JSON answer: `{ code, message, data }`; `code === 0` is success. */
export const envelopeSchema = z.looseObject({
  code: z.number(),
  message: z.nullish(z.string()),
  data: z.optional(z.unknown()),
});
export type Envelope = z.infer<typeof envelopeSchema>;

const text = z.string().check(z.minLength(1));
const positiveInt = z.int().check(z.positive());

export const modelLimitsSchema = z.looseObject({
  resolutions: z.array(text).check(z.minLength(1)),
  n: z.looseObject({ min: positiveInt, max: positiveInt }).check(z.refine((v) => v.min <= v.max, 'n.min must not exceed n.max')),
  aspect_ratios: z.optional(z.array(text).check(z.minLength(1))),
  max_reference_images: z.optional(z.int().check(z.nonnegative())),
});

export const modelPricingSchema = z.looseObject({
  currency: z.optional(z.string()),
  unit: z.optional(z.string()),
  by_resolution: z.record(z.string(), z.number().check(z.nonnegative())),
});

export const imageModelSchema = z.looseObject({
  id: text,
  label: z.optional(text),
  defaults: z.optional(z.looseObject({ resolution: z.optional(z.string()), n: z.optional(positiveInt), aspect_ratio: z.optional(z.string()) })),
  limits: modelLimitsSchema,
  pricing: z.nullish(modelPricingSchema),
});
export type ImageModelInfo = z.infer<typeof imageModelSchema>;

export const capabilitiesDataSchema = z.looseObject({
  capabilities: z.looseObject({
    image: z.looseObject({
      default_model: z.optional(z.string()),
      models: z.array(imageModelSchema).check(z.minLength(1)),
    }),
  }),
});
export type ImageCapabilities = z.infer<typeof capabilitiesDataSchema>['capabilities']['image'];

export const presignedUploadDataSchema = z.looseObject({
  presignedUploadUrl: z.url(),
  objectKey: text,
});
export type PresignedUpload = z.infer<typeof presignedUploadDataSchema>;

export const submitDataSchema = z.looseObject({
  task_id: text,
  status: z.optional(z.string()),
});
export type SubmitAnswer = z.infer<typeof submitDataSchema>;

export const taskImageSchema = z.looseObject({
  url: text,
  thumbnail_url: z.nullish(text),
});
export type TaskImage = z.infer<typeof taskImageSchema>;

/** At most this many images of a status answer are read; the rest are only counted (`images_listed`). */
export const MAX_IMAGES_READ = 64;

const taskStatusShape = z.looseObject({
  task_id: z.optional(text),
  status: text,
  progress: z.nullish(z.number().check(z.minimum(0), z.maximum(100))),
  result: z.nullish(
    z.looseObject({
      images: z.nullish(z.array(taskImageSchema)),
      /** How many images the answer listed (set here when it listed more than MAX_IMAGES_READ). */
      images_listed: z.optional(z.int()),
    }),
  ),
  error: z.nullish(z.looseObject({ message: z.nullish(z.string()) })),
});

/**
 * A status answer. An answer may list any number of images: only the first MAX_IMAGES_READ
 * are checked and kept, so thousands of them cost a count, not a parse each.
 */
export const taskStatusDataSchema = z.pipe(
  z.transform((data: unknown) => {
    if (typeof data !== 'object' || data === null) return data;
    const result = (data as { result?: unknown }).result;
    if (typeof result !== 'object' || result === null) return data;
    const images = (result as { images?: unknown }).images;
    if (!Array.isArray(images) || images.length <= MAX_IMAGES_READ) return data;
    return { ...data, result: { ...result, images: images.slice(0, MAX_IMAGES_READ), images_listed: images.length } };
  }),
  taskStatusShape,
);
export type TaskStatus = z.infer<typeof taskStatusShape>;

export const TERMINAL_STATUSES = ['succeeded', 'failed'] as const;
export function isTerminalStatus(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** The body of a generation request, as the API expects it. */
export interface SubmitBody {
  prompt: string;
  model: string;
  resolution: string;
  n: number;
  aspect_ratio?: string;
  imageObjectKeys?: string[];
}
