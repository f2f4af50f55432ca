// The messages between the Generate Image panel (webview) and the extension host, both
// directions, as zod schemas. Both sides validate what they receive.
import * as z from 'zod/mini';
import { USE_CASES } from './models';
import { RUN_PHASES } from './runs/runStatus';

/** What the panel shows: the steps before a run exists, then the run's own phase. */
export const PANEL_PHASES = ['confirming', 'cancelled', 'uploading', 'notStarted', ...RUN_PHASES] as const;

/**
 * The panel accepts longer prompts than CreatOK does, so that an overlong one reaches the host
 * and gets a clear message (the request check says the limit) instead of being dropped.
 */
export const PANEL_PROMPT_MAX = 1_000_000;

export const IMAGE_ACTIONS = ['insert', 'copyMarkdown', 'saveAs', 'vary'] as const;

/**
 * Built on first use, not when the extension loads: constructing these schemas costs more
 * than the rest of activation together.
 */
function buildSchemas() {
  const short = (max: number): z.ZodMiniString<string> => z.string().check(z.maxLength(max));

  const formSchema = z.object({
    prompt: short(PANEL_PROMPT_MAX),
    useCase: z.enum(USE_CASES),
    /** true once the user picked a use case (the guess no longer overrides it). */
    useCaseChosen: z.boolean(),
    model: short(200),
    modelChosen: z.boolean(),
    resolution: short(50),
    aspectRatio: short(50),
    n: z.int().check(z.minimum(1), z.maximum(100)),
  });

  // Every request carries an id; the host answers each one with a `reply` of the same id.
  const requestId = z.int();
  const webviewToHostSchema = z.discriminatedUnion('type', [
    /** The webview (re)started; `runId` is the run it showed before a reload. */
    z.object({ type: z.literal('ready'), runId: z.optional(short(200)) }),
    z.object({ type: z.literal('generate'), requestId, form: formSchema }),
    z.object({ type: z.literal('copy'), requestId, text: short(100_000) }),
    z.object({ type: z.literal('openResult'), requestId, runId: short(200) }),
    z.object({ type: z.literal('revealRun'), requestId, runId: short(200) }),
    z.object({ type: z.literal('retrySave'), requestId, runId: short(200) }),
    z.object({ type: z.literal('setApiKey'), requestId }),
    z.object({ type: z.literal('showLog'), requestId }),
    z.object({ type: z.literal('reloadModels'), requestId }),
    z.object({ type: z.literal('addReferences'), requestId }),
    z.object({ type: z.literal('removeReference'), requestId, id: short(100) }),
    z.object({ type: z.literal('refinePrompt'), requestId, prompt: short(PANEL_PROMPT_MAX), useCase: z.enum(USE_CASES) }),
    /** One saved image of a run: put it into the user's work, or start again from it. */
    z.object({ type: z.literal('imageAction'), requestId, runId: short(200), index: z.int().check(z.minimum(0), z.maximum(100)), action: z.enum(IMAGE_ACTIONS) }),
    z.object({ type: z.literal('recentPrompts'), requestId }),
  ]);

  const modelOptionSchema = z.object({
    id: z.string(),
    label: z.string(),
    resolutions: z.array(z.string()),
    aspectRatios: z.array(z.string()),
    nMin: z.int(),
    nMax: z.int(),
    maxReferenceImages: z.int(),
    pricePerImage: z.nullable(z.record(z.string(), z.number())),
    currency: z.string(),
    defaults: z.object({ resolution: z.string(), aspectRatio: z.string(), n: z.int() }),
  });

  const panelCatalogSchema = z.object({
    source: z.enum(['server', 'fallback']),
    defaultModel: z.string(),
    models: z.array(modelOptionSchema).check(z.minLength(1)),
  });

  const runViewSchema = z.object({
    runId: z.string(),
    taskId: z.nullable(z.string()),
    /** What the panel shows: a plain phase, never raw server text. */
    phase: z.enum(PANEL_PHASES),
    /** The server's status as it is (it may say more than the phase). */
    status: z.string(),
    message: z.string(),
    hint: z.optional(z.string()),
    /** A next step the panel offers as a button. */
    action: z.optional(z.enum(['setApiKey', 'retrySave'])),
    progress: z.nullish(z.number()),
    images: z.array(
      z.object({
        url: z.string(),
        /** false: not an https: link (nor http: on this machine): shown as text only, never loaded. */
        allowed: z.boolean(),
        thumbnailUrl: z.nullable(z.string()),
        /** The downloaded copy in the run folder (host side). */
        localPath: z.optional(z.string()),
        /** The same as a webview resource URI (set by the panel before posting). */
        localSrc: z.optional(z.string()),
      }),
    ),
  });

  const referenceViewSchema = z.object({
    id: z.string(),
    name: z.string(),
    size: z.number(),
    /** A small data: URI of the image, when it is small enough to preview. */
    thumbnail: z.nullable(z.string()),
  });

  const problemViewSchema = z.object({ field: z.string(), message: z.string() });

  /** What a request's reply carries: the state that request changed, tied to it by its id. */
  const replyResultSchema = z.discriminatedUnion('kind', [
    /** addReferences, removeReference: the references now. */
    z.object({ kind: z.literal('references'), items: z.array(referenceViewSchema) }),
    /** reloadModels: the catalogue read again. */
    z.object({ kind: z.literal('catalog'), catalog: panelCatalogSchema }),
    /** refinePrompt: a chat model's suggestion, or null when there is none (the guided refinement then). */
    z.object({ kind: z.literal('refinement'), suggestion: z.nullable(z.string()) }),
    /** recentPrompts: the prompt picked. */
    z.object({ kind: z.literal('prefill'), form: z.partial(formSchema) }),
    /** generate: the run it started (later changes come as `run` messages). */
    z.object({ kind: z.literal('run'), run: runViewSchema }),
  ]);

  const hostToWebviewSchema = z.discriminatedUnion('type', [
    z.object({
      type: z.literal('init'),
      strings: z.record(z.string(), z.string()),
      catalog: panelCatalogSchema,
      form: z.optional(z.partial(formSchema)),
    }),
    z.object({ type: z.literal('prefill'), form: z.partial(formSchema) }),
    /** The answer to a request: its result, or `error` in plain words. */
    z.object({ type: z.literal('reply'), requestId: z.int(), error: z.optional(z.string()), result: z.optional(replyResultSchema) }),
    z.object({ type: z.literal('problems'), problems: z.array(problemViewSchema) }),
    z.object({ type: z.literal('run'), run: runViewSchema }),
    z.object({ type: z.literal('references'), items: z.array(referenceViewSchema) }),
  ]);
  return { formSchema, webviewToHostSchema, modelOptionSchema, panelCatalogSchema, runViewSchema, referenceViewSchema, problemViewSchema, replyResultSchema, hostToWebviewSchema };
}

let built: ReturnType<typeof buildSchemas> | undefined;

export function panelSchemas(): ReturnType<typeof buildSchemas> {
  return (built ??= buildSchemas());
}

type Schemas = ReturnType<typeof buildSchemas>;
export type PanelForm = z.infer<Schemas['formSchema']>;
export type WebviewToHost = z.infer<Schemas['webviewToHostSchema']>;
export type ModelOption = z.infer<Schemas['modelOptionSchema']>;
export type PanelCatalog = z.infer<Schemas['panelCatalogSchema']>;
export type RunView = z.infer<Schemas['runViewSchema']>;
export type ReferenceView = z.infer<Schemas['referenceViewSchema']>;
export type HostToWebview = z.infer<Schemas['hostToWebviewSchema']>;
export type ReplyResult = z.infer<Schemas['replyResultSchema']>;
