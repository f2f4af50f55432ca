/**
 * The control API (`/__standin/...`, no auth, not logged): lets tests in other processes
 * read the log, tasks and uploads, change the config (faults included), reset, and
 * create tasks directly. Answers are plain JSON (not CreatOK envelopes).
 */
import { ConfigError, configToJson, parseConfigPatch } from './config';
import { isRecord, jsonReply, type Reply } from './http';
import type { DirectTaskInput, RecordedRequest, StandInConfig, TaskSnapshot, UploadRecord } from './types';

export const CONTROL_PATH = '/__standin/';

/** What the control API drives (a subset of `StandIn`). */
export interface ControlTarget {
  requests(): RecordedRequest[];
  submissions(): RecordedRequest[];
  tasks(): TaskSnapshot[];
  uploads(): UploadRecord[];
  config(): StandInConfig;
  configure(patch: Partial<StandInConfig>): void;
  reset(): void;
  createTask(input: DirectTaskInput): string;
}

function refuse(status: number, message: string): Reply {
  return jsonReply(status, { error: message });
}

function optionalNumber(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ConfigError(`${key} must be a number >= 0`);
  return value;
}

export function parseDirectTask(body: unknown): DirectTaskInput {
  if (!isRecord(body)) throw new ConfigError('body must be a JSON object');
  const { prompt, model, resolution, n, aspect_ratio: aspectRatio, fail } = body;
  if (typeof prompt !== 'string' || typeof model !== 'string' || typeof resolution !== 'string' || typeof n !== 'number') {
    throw new ConfigError('prompt, model, resolution (strings) and n (number) are required');
  }
  const input: DirectTaskInput = { prompt, model, resolution, n };
  if (aspectRatio !== undefined) {
    if (typeof aspectRatio !== 'string') throw new ConfigError('aspect_ratio must be a string');
    input.aspect_ratio = aspectRatio;
  }
  if (fail !== undefined) {
    if (typeof fail !== 'boolean') throw new ConfigError('fail must be a boolean');
    input.fail = fail;
  }
  const taskMs = optionalNumber(body, 'taskMs');
  const queuedMs = optionalNumber(body, 'queuedMs');
  if (taskMs !== undefined) input.taskMs = taskMs;
  if (queuedMs !== undefined) input.queuedMs = queuedMs;
  return input;
}

/** Answers a control request; `body` is the parsed JSON body (undefined when none). */
export function control(target: ControlTarget, method: string, path: string, body: unknown): Reply {
  const route = `${method} ${path.slice(CONTROL_PATH.length)}`;
  try {
    switch (route) {
      case 'GET requests':
        return jsonReply(200, target.requests());
      case 'GET submissions':
        return jsonReply(200, target.submissions());
      case 'GET tasks':
        return jsonReply(200, target.tasks());
      case 'GET uploads':
        return jsonReply(200, target.uploads());
      case 'GET config':
        return jsonReply(200, configToJson(target.config()));
      case 'POST config':
        target.configure(parseConfigPatch(body ?? {}));
        return jsonReply(200, configToJson(target.config()));
      case 'POST reset':
        target.reset();
        return jsonReply(200, { ok: true });
      case 'POST tasks':
        return jsonReply(200, { task_id: target.createTask(parseDirectTask(body)) });
      default:
        return refuse(404, `unknown control route: ${method} ${path}`);
    }
  } catch (error) {
    if (error instanceof ConfigError) return refuse(400, error.message);
    throw error;
  }
}
