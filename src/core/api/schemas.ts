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

export const taskStatusDataSchema = z.looseObject({
  task_id: z.optional(text),
  status: text,
  progress: z.nullish(z.number().check(z.minimum(0), z.maximum(100))),
  result: z.nullish(z.looseObject({ images: z.nullish(z.array(taskImageSchema)) })),
  error: z.nullish(z.looseObject({ message: z.nullish(z.string()) })),
});
export type TaskStatus = z.infer<typeof taskStatusDataSchema>;

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
