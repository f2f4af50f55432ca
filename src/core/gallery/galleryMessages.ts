// The messages between the CreatOK Gallery (webview) and the extension host, both directions,
// as zod schemas; both sides validate what they receive. Every request has an id and gets a
// reply of the same id (with its error, if any).
import * as z from 'zod/mini';
import { TILE_ACTIONS } from './galleryActions';

export const GALLERY_STATES = ['running', 'succeeded', 'failed'] as const;
export const GALLERY_PERIODS = ['today', 'week', 'all'] as const;
export { TILE_ACTIONS, WRITING_ACTIONS } from './galleryActions';
/** At most this many tiles are sent to the webview at once; "Show more" asks for the next ones. */
export const GALLERY_PAGE = 120;

function buildSchemas() {
  const short = (max: number): z.ZodMiniString<string> => z.string().check(z.maxLength(max));
  const requestId = z.int();
  const query = z.object({
    text: short(500),
    model: z.optional(short(200)),
    state: z.optional(z.enum(GALLERY_STATES)),
    period: z.enum(GALLERY_PERIODS),
    /** How many tiles the webview wants (pages of GALLERY_PAGE). */
    limit: z.int().check(z.minimum(1), z.maximum(100_000)),
  });
  const webviewToHostSchema = z.discriminatedUnion('type', [
    z.object({ type: z.literal('ready') }),
    z.object({ type: z.literal('query'), requestId, query }),
    z.object({ type: z.literal('tileAction'), requestId, key: short(5000), index: z.int().check(z.minimum(0), z.maximum(100)), action: z.enum(TILE_ACTIONS) }),
  ]);
  const tile = z.object({
    key: short(5000),
    index: z.int(),
    /** The image as a webview resource URI ('' when the run has none to show). */
    src: short(10_000),
    /** CreatOK's thumbnail of it, what the tile shows when there is one (else `src`, loaded lazily). */
    thumb: z.optional(short(10_000)),
    prompt: short(300),
    model: short(200),
    resolution: short(50),
    age: short(100),
    credits: z.nullable(z.number()),
    state: z.enum(GALLERY_STATES),
    reason: z.optional(short(500)),
  });
  const hostToWebviewSchema = z.discriminatedUnion('type', [
    z.object({
      type: z.literal('init'),
      strings: z.record(z.string(), z.string()),
      models: z.array(short(200)),
      /** Restricted Mode: nothing that writes or acts on the workspace is offered. */
      readOnly: z.boolean(),
    }),
    /** `reading`: older runs still being read (the counts grow as they arrive). */
    z.object({ type: z.literal('results'), requestId, tiles: z.array(tile), matched: z.int(), total: z.int(), more: z.boolean(), reading: z.optional(z.int()) }),
    z.object({ type: z.literal('reply'), requestId, error: z.optional(short(2000)) }),
    /** Something changed (a run started, ended or was deleted): the webview asks again. */
    z.object({ type: z.literal('changed') }),
  ]);
  return { webviewToHostSchema, hostToWebviewSchema };
}

let built: ReturnType<typeof buildSchemas> | undefined;
/** The schemas, built on first use (not when the extension loads). */
export function gallerySchemas(): ReturnType<typeof buildSchemas> {
  return (built ??= buildSchemas());
}

export type GalleryToHost = z.infer<ReturnType<typeof buildSchemas>['webviewToHostSchema']>;
export type HostToGallery = z.infer<ReturnType<typeof buildSchemas>['hostToWebviewSchema']>;
export type GalleryTile = Extract<HostToGallery, { type: 'results' }>['tiles'][number];
export type GalleryQueryMessage = Extract<GalleryToHost, { type: 'query' }>['query'];
