// The gallery's data, as pure functions: a run as a gallery item (what a tile shows, and the
// text it is found by), and a search over items: prompt words in any order (English, or Chinese
// characters, matched as text), a model, a state, a period, newest first, with the count of
// what matched.
import type { RunRecord } from '../runs/record';
import { runPhase } from '../runs/runStatus';

export type GalleryState = 'running' | 'succeeded' | 'failed';
export type GalleryPeriod = 'today' | 'week' | 'all';

export interface GalleryItem {
  /** The run's key (artifacts folder and run id): stable across updates. */
  key: string;
  runId: string;
  /** The workspace folder the run belongs to. */
  folder: string;
  prompt: string;
  model: string;
  resolution: string;
  /** ms since the epoch (created_at). */
  createdAt: number;
  state: GalleryState;
  /** Why a failed run failed (the record's error). */
  reason?: string;
  credits: number | null;
  /** Absolute paths of the saved images (only files checked to be in the run's images folder). */
  images: string[];
  /** CreatOK's saved thumbnails, aligned with `images` (absent when the run has none). */
  thumbnails?: (string | undefined)[];
  /** The prompt as searched: lowercase, accents folded, width-normalized. */
  searchText: string;
}

/** The text a search compares: NFKC (full-width → ASCII), lowercase, accents removed. */
export function searchable(text: string): string {
  return text.normalize('NFKC').toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
}

/** A run's place in the gallery: running while it may still end, succeeded with its images, or failed with its reason. */
export function galleryStateOf(record: RunRecord, following: boolean): GalleryState {
  const phase = runPhase(record, following);
  if (phase === 'succeeded') return 'succeeded';
  // An answer lost (`unconfirmed`) shows with its reason; a task not watched (`stopped`) may still run.
  if (phase === 'failed' || phase === 'unconfirmed') return 'failed';
  return 'running';
}

export function galleryItemOf(key: string, folder: string, record: RunRecord, images: string[], following: boolean, thumbnails?: (string | undefined)[]): GalleryItem {
  const state = galleryStateOf(record, following);
  const createdAt = Date.parse(record.created_at);
  return {
    key,
    runId: record.run_id,
    folder,
    prompt: record.prompt,
    model: record.model,
    resolution: record.resolution,
    createdAt: Number.isNaN(createdAt) ? 0 : createdAt,
    state,
    ...(state === 'failed' ? { reason: record.error?.message ?? record.status } : {}),
    credits: record.estimated_credits === null ? null : Math.max(0, record.estimated_credits),
    images,
    ...(thumbnails?.some(Boolean) ? { thumbnails: thumbnails.slice(0, images.length) } : {}),
    searchText: searchable(record.prompt),
  };
}

export interface GalleryQuery {
  /** What was typed: words in any order; each must occur in the prompt. */
  text: string;
  model?: string;
  state?: GalleryState;
  period: GalleryPeriod;
}

export interface GalleryResult {
  items: GalleryItem[];
  /** Images (a failed or running run counts as one tile) that matched, and in all. */
  matchedImages: number;
  totalImages: number;
}

/** The query's words: split at spaces (a Chinese phrase without spaces is one word, matched as text). */
export function queryWords(text: string): string[] {
  return searchable(text)
    .split(/[\s,，、;；]+/)
    .filter(Boolean)
    .slice(0, 20);
}

/** The start of the period (local time): today at 00:00, or 7 days ago at 00:00. */
function periodStart(period: GalleryPeriod, now: Date): number {
  if (period === 'all') return -Infinity;
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (period === 'week' ? 6 : 0));
  return start.getTime();
}

const tilesOf = (item: GalleryItem): number => Math.max(1, item.images.length);

/** The items that match, newest first, with the counts the search box says ("12 of 340 images"). */
export function searchGallery(items: readonly GalleryItem[], query: GalleryQuery, now: Date = new Date()): GalleryResult {
  const words = queryWords(query.text);
  const since = periodStart(query.period, now);
  const matched: GalleryItem[] = [];
  let totalImages = 0;
  let matchedImages = 0;
  for (const item of items) {
    totalImages += tilesOf(item);
    if (item.createdAt < since) continue;
    if (query.model && item.model !== query.model) continue;
    if (query.state && item.state !== query.state) continue;
    if (!words.every((w) => item.searchText.includes(w))) continue;
    matched.push(item);
    matchedImages += tilesOf(item);
  }
  matched.sort((a, b) => b.createdAt - a.createdAt || (a.runId < b.runId ? 1 : -1));
  return { items: matched, matchedImages, totalImages };
}
