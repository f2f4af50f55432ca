/**
 * Stand-in configuration: defaults, merging, and checking a JSON patch from the control API.
 */
import { defaultCapabilities } from './capabilities';
import { isRecord } from './http';
import { FAULT_KINDS, type FaultKind, type FaultRule, type ImageCapabilities, type StandInConfig } from './types';

export const DEFAULT_API_KEY = 'ok_standin_demo_key';

export function defaultConfig(): StandInConfig {
  return {
    apiKey: DEFAULT_API_KEY,
    queuedMs: 1000,
    taskMs: 3000,
    imageWidth: 512,
    imageHeight: 512,
    thumbnailSize: 128,
    imageStyle: 'gradient',
    imageBytes: null,
    faults: [],
    seed: 1,
    failPromptPattern: '[fail]',
    failMessage: 'The image could not be generated: the prompt was rejected by the safety filter.',
    taskFailedMessage: 'The image could not be generated because of a server error. Please try again.',
    capabilities: defaultCapabilities(),
    urlTtlSeconds: 3600,
    unknownTaskAnswer: 'code',
    omitProgress: false,
    extraImages: 0,
    urlPadding: 0,
    imageRedirects: 0,
    imageRedirectTarget: null,
    imageBytesPerSecond: null,
    imageStallAfterBytes: null,
    submitAnswerDelayMs: 0,
  };
}

/** `base` with the defined fields of `patch` applied (deep-copied, except a RegExp pattern). */
export function mergeConfig(base: StandInConfig, patch: Partial<StandInConfig>): StandInConfig {
  const next: StandInConfig = { ...base };
  for (const key of Object.keys(patch) as (keyof StandInConfig)[]) {
    if (patch[key] !== undefined) Object.assign(next, { [key]: patch[key] });
  }
  const pattern = next.failPromptPattern;
  return {
    ...structuredClone({ ...next, failPromptPattern: null }),
    failPromptPattern: pattern instanceof RegExp ? new RegExp(pattern.source, pattern.flags) : pattern,
  };
}

/** The config as JSON (a RegExp pattern becomes its `/source/flags` text). */
export function configToJson(config: StandInConfig): Record<string, unknown> {
  const pattern = config.failPromptPattern;
  return { ...structuredClone({ ...config, failPromptPattern: null }), failPromptPattern: pattern instanceof RegExp ? String(pattern) : pattern };
}

export class ConfigError extends Error {}

const FAULT_ENDPOINTS = new Set(['capabilities', 'presign', 'upload', 'submit', 'status', 'image', 'redirect', 'any']);
const NUMBER_FIELDS = ['queuedMs', 'taskMs', 'imageWidth', 'imageHeight', 'thumbnailSize', 'seed', 'urlTtlSeconds'] as const;
const STRING_FIELDS = ['apiKey', 'failMessage', 'taskFailedMessage'] as const;
/** Whole-number fields and their largest accepted value. */
const COUNT_FIELDS = {
  extraImages: 1_000_000,
  /** the server reads request heads up to MAX_HEADER_SIZE (server.ts) */
  urlPadding: 1_000_000,
  imageRedirects: 1000,
  /** setTimeout's limit */
  submitAnswerDelayMs: 2_147_483_647,
} as const;
/** What Node accepts in a header value. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]+$/;

function count(key: string, field: unknown, max: number): number {
  if (typeof field !== 'number' || !Number.isInteger(field) || field < 0 || field > max) {
    throw new ConfigError(`${key} must be a whole number from 0 to ${max}`);
  }
  return field;
}

function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === 'string' && (FAULT_KINDS as readonly string[]).includes(value);
}

export function parseFaultRule(value: unknown, where: string): FaultRule {
  if (!isRecord(value)) throw new ConfigError(`${where} must be an object`);
  const { endpoint, kind, times, probability, retryAfter, afterBody, ...rest } = value;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new ConfigError(`${where} has unknown fields: ${extra.join(', ')}`);
  if (typeof endpoint !== 'string' || !FAULT_ENDPOINTS.has(endpoint)) {
    throw new ConfigError(`${where}.endpoint must be one of ${[...FAULT_ENDPOINTS].join(', ')}`);
  }
  if (!isFaultKind(kind)) throw new ConfigError(`${where}.kind must be one of ${FAULT_KINDS.join(', ')}`);
  const rule: FaultRule = { endpoint: endpoint as FaultRule['endpoint'], kind };
  if (times !== undefined) {
    if (typeof times !== 'number' || !Number.isInteger(times) || times < 1) throw new ConfigError(`${where}.times must be an integer >= 1`);
    rule.times = times;
  }
  if (probability !== undefined) {
    if (typeof probability !== 'number' || probability < 0 || probability > 1) throw new ConfigError(`${where}.probability must be within 0..1`);
    rule.probability = probability;
  }
  if (retryAfter !== undefined) {
    if (typeof retryAfter !== 'string') throw new ConfigError(`${where}.retryAfter must be a string`);
    rule.retryAfter = retryAfter;
  }
  if (afterBody !== undefined) {
    if (typeof afterBody !== 'boolean') throw new ConfigError(`${where}.afterBody must be a boolean`);
    rule.afterBody = afterBody;
  }
  return rule;
}

function parseCapabilities(value: unknown): ImageCapabilities {
  if (!isRecord(value) || typeof value.default_model !== 'string' || !Array.isArray(value.models)) {
    throw new ConfigError('capabilities must be { default_model, models: [...] }');
  }
  for (const [i, m] of value.models.entries()) {
    const limits = isRecord(m) ? m.limits : undefined;
    const ok =
      isRecord(m) &&
      typeof m.id === 'string' &&
      isRecord(limits) &&
      Array.isArray(limits.resolutions) &&
      isRecord(limits.n) &&
      typeof limits.n.min === 'number' &&
      typeof limits.n.max === 'number';
    if (!ok) throw new ConfigError(`capabilities.models[${i}] needs id and limits { resolutions, n: { min, max } }`);
  }
  // Shape checked enough for the stand-in's own use; the rest is served as given.
  return value as unknown as ImageCapabilities;
}

/** Checks a JSON config patch (control API). Unknown fields are refused so typos show up. */
export function parseConfigPatch(value: unknown): Partial<StandInConfig> {
  if (!isRecord(value)) throw new ConfigError('config patch must be a JSON object');
  const patch: Partial<StandInConfig> = {};
  for (const [key, field] of Object.entries(value)) {
    if ((NUMBER_FIELDS as readonly string[]).includes(key)) {
      if (typeof field !== 'number' || !Number.isFinite(field) || field < 0) throw new ConfigError(`${key} must be a number >= 0`);
      Object.assign(patch, { [key]: field });
    } else if ((STRING_FIELDS as readonly string[]).includes(key)) {
      if (typeof field !== 'string') throw new ConfigError(`${key} must be a string`);
      Object.assign(patch, { [key]: field });
    } else if (Object.hasOwn(COUNT_FIELDS, key)) {
      Object.assign(patch, { [key]: count(key, field, COUNT_FIELDS[key as keyof typeof COUNT_FIELDS]) });
    } else if (key === 'imageRedirectTarget') {
      if (field !== null && (typeof field !== 'string' || !HEADER_VALUE.test(field))) {
        throw new ConfigError('imageRedirectTarget must be a non-empty header-safe string or null');
      }
      patch.imageRedirectTarget = field;
    } else if (key === 'imageBytesPerSecond') {
      if (field !== null && (typeof field !== 'number' || !Number.isFinite(field) || field <= 0)) {
        throw new ConfigError('imageBytesPerSecond must be a number > 0 or null');
      }
      patch.imageBytesPerSecond = field;
    } else if (key === 'imageStallAfterBytes') {
      patch.imageStallAfterBytes = field === null ? null : count(key, field, Number.MAX_SAFE_INTEGER);
    } else if (key === 'imageBytes') {
      if (field !== null && (typeof field !== 'number' || field <= 0)) throw new ConfigError('imageBytes must be a number > 0 or null');
      patch.imageBytes = field;
    } else if (key === 'failPromptPattern') {
      if (field !== null && typeof field !== 'string') throw new ConfigError('failPromptPattern must be a string or null');
      patch.failPromptPattern = field;
    } else if (key === 'faults') {
      if (!Array.isArray(field)) throw new ConfigError('faults must be an array');
      patch.faults = field.map((rule, i) => parseFaultRule(rule, `faults[${i}]`));
    } else if (key === 'unknownTaskAnswer') {
      if (field !== 'code' && field !== 'http404') throw new ConfigError('unknownTaskAnswer must be "code" or "http404"');
      patch.unknownTaskAnswer = field;
    } else if (key === 'imageStyle') {
      if (field !== 'gradient' && field !== 'scene') throw new ConfigError('imageStyle must be "gradient" or "scene"');
      patch.imageStyle = field;
    } else if (key === 'omitProgress') {
      if (typeof field !== 'boolean') throw new ConfigError('omitProgress must be a boolean');
      patch.omitProgress = field;
    } else if (key === 'capabilities') {
      patch.capabilities = parseCapabilities(field);
    } else {
      throw new ConfigError(`unknown config field: ${key}`);
    }
  }
  return patch;
}
