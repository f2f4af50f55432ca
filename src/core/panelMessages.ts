// The messages between the Generate Image panel (webview) and the extension host, both
// directions, as zod schemas. Both sides validate what they receive.
import { z } from 'zod';
import { USE_CASES } from './models';

export const formSchema = z.object({
  prompt: z.string().max(20_000),
  useCase: z.enum(USE_CASES),
  /** true once the user picked a use case (the guess no longer overrides it). */
  useCaseChosen: z.boolean(),
  model: z.string().max(200),
  modelChosen: z.boolean(),
  resolution: z.string().max(50),
  aspectRatio: z.string().max(50),
  n: z.number().int().min(1).max(100),
});
export type PanelForm = z.infer<typeof formSchema>;

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('generate'), requestId: z.number().int(), form: formSchema }),
  z.object({ type: z.literal('formChanged'), form: formSchema }),
  z.object({ type: z.literal('copy'), text: z.string().max(100_000) }),
  z.object({ type: z.literal('openResult'), runId: z.string().max(200) }),
  z.object({ type: z.literal('revealRun'), runId: z.string().max(200) }),
  z.object({ type: z.literal('setApiKey') }),
  z.object({ type: z.literal('showLog') }),
  z.object({ type: z.literal('reloadModels') }),
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

const modelOptionSchema = z.object({
  id: z.string(),
  label: z.string(),
  resolutions: z.array(z.string()),
  aspectRatios: z.array(z.string()),
  nMin: z.number().int(),
  nMax: z.number().int(),
  maxReferenceImages: z.number().int(),
  pricePerImage: z.record(z.string(), z.number()).nullable(),
  currency: z.string(),
  defaults: z.object({ resolution: z.string(), aspectRatio: z.string(), n: z.number().int() }),
});
export type ModelOption = z.infer<typeof modelOptionSchema>;

export const panelCatalogSchema = z.object({
  source: z.enum(['server', 'fallback']),
  defaultModel: z.string(),
  models: z.array(modelOptionSchema).min(1),
});
export type PanelCatalog = z.infer<typeof panelCatalogSchema>;

export const runViewSchema = z.object({
  runId: z.string(),
  taskId: z.string().nullable(),
  /** What the panel shows: a plain phase, never raw server text. */
  phase: z.enum(['confirming', 'cancelled', 'uploading', 'submitting', 'queued', 'running', 'succeeded', 'failed', 'stopped', 'unconfirmed']),
  /** The server's status as it is (it may say more than the phase). */
  status: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  progress: z.number().nullable().optional(),
  images: z.array(z.object({ url: z.string(), thumbnailUrl: z.string().nullable() })),
});
export type RunView = z.infer<typeof runViewSchema>;

export const problemViewSchema = z.object({ field: z.string(), message: z.string() });

export const hostToWebviewSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    strings: z.record(z.string(), z.string()),
    catalog: panelCatalogSchema,
    form: formSchema.partial().optional(),
  }),
  z.object({ type: z.literal('catalog'), catalog: panelCatalogSchema }),
  z.object({ type: z.literal('prefill'), form: formSchema.partial() }),
  z.object({ type: z.literal('generateDone'), requestId: z.number().int() }),
  z.object({ type: z.literal('problems'), problems: z.array(problemViewSchema) }),
  z.object({ type: z.literal('run'), run: runViewSchema }),
]);
export type HostToWebview = z.infer<typeof hostToWebviewSchema>;
