// zod schemas for every answer of the CreatOK Open Skills API (see README, "API contract").
// Parsing is tolerant where the contract is silent: unknown fields pass through, optional
// blocks may be absent, but every field we rely on is checked.
import { z } from 'zod';

/** Every JSON answer: `{ code, message, data }`; `code === 0` is success. */
export const envelopeSchema = z.looseObject({
  code: z.number(),
  message: z.string().nullish(),
  data: z.unknown().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

const positiveInt = z.number().int().positive();

export const modelLimitsSchema = z.looseObject({
  resolutions: z.array(z.string().min(1)).min(1),
  n: z.looseObject({ min: positiveInt, max: positiveInt }).refine((v) => v.min <= v.max, 'n.min must not exceed n.max'),
  aspect_ratios: z.array(z.string().min(1)).min(1).optional(),
  max_reference_images: z.number().int().nonnegative().optional(),
});

export const modelPricingSchema = z.looseObject({
  currency: z.string().optional(),
  unit: z.string().optional(),
  by_resolution: z.record(z.string(), z.number().nonnegative()),
});

export const imageModelSchema = z.looseObject({
  id: z.string().min(1),
  label: z.string().min(1).optional(),
  defaults: z
    .looseObject({ resolution: z.string().optional(), n: positiveInt.optional(), aspect_ratio: z.string().optional() })
    .optional(),
  limits: modelLimitsSchema,
  pricing: modelPricingSchema.nullish(),
});
export type ImageModelInfo = z.infer<typeof imageModelSchema>;

export const capabilitiesDataSchema = z.looseObject({
  capabilities: z.looseObject({
    image: z.looseObject({
      default_model: z.string().optional(),
      models: z.array(imageModelSchema).min(1),
    }),
  }),
});
export type ImageCapabilities = z.infer<typeof capabilitiesDataSchema>['capabilities']['image'];

export const presignedUploadDataSchema = z.looseObject({
  presignedUploadUrl: z.url(),
  objectKey: z.string().min(1),
});
export type PresignedUpload = z.infer<typeof presignedUploadDataSchema>;

export const submitDataSchema = z.looseObject({
  task_id: z.string().min(1),
  status: z.string().optional(),
});
export type SubmitAnswer = z.infer<typeof submitDataSchema>;

export const taskImageSchema = z.looseObject({
  url: z.string().min(1),
  thumbnail_url: z.string().min(1).nullish(),
});
export type TaskImage = z.infer<typeof taskImageSchema>;

export const taskStatusDataSchema = z.looseObject({
  task_id: z.string().min(1).optional(),
  status: z.string().min(1),
  progress: z.number().min(0).max(100).nullish(),
  result: z.looseObject({ images: z.array(taskImageSchema).nullish() }).nullish(),
  error: z.looseObject({ message: z.string().nullish() }).nullish(),
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
