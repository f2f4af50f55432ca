/**
 * A local stand-in for the paid CreatOK image API (/work/shared/creatok-api.md), with the
 * storage host, signed image files, fault injection, a request log and a control API.
 * Node built-ins only. Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as api from './api';
import { ConfigError, defaultConfig, mergeConfig } from './config';
import { CONTROL_PATH, control } from './control';
import { faultAction, FaultBook, type FaultAction } from './faults';
import {
  BodyTooLargeError,
  emptyReply,
  envelope,
  invalidApiKey,
  isJsonContentType,
  methodNotAllowed,
  parseJson,
  readBody,
  sendPacedReply,
  sendReply,
  type Reply,
} from './http';
import { RequestLog } from './log';
import { cachedNoisePng } from './png';
import { FILES_PATH, REDIRECT_PATH, UPLOAD_PATH, UploadStore, UrlSigner } from './storage';
import { TaskStore } from './tasks';
import type {
  DirectTaskInput,
  Endpoint,
  FaultRule,
  RecordedRequest,
  RequestListener,
  RequestPhase,
  StandInConfig,
  StandInOptions,
  TaskSnapshot,
  UploadRecord,
} from './types';

export * from './types';
export { DEFAULT_API_KEY } from './config';
export { defaultCapabilities } from './capabilities';

export interface StandIn {
  /** `http://127.0.0.1:<port>` (no trailing slash) */
  readonly url: string;
  readonly port: number;
  /** Stops listening and destroys every connection, hanging requests included. */
  close(): Promise<void>;
  /** Every logged request (all but the control API), oldest first. */
  requests(): RecordedRequest[];
  /** Every `POST /api/open/skills/image-generation`, accepted or not. */
  submissions(): RecordedRequest[];
  /** Submissions that passed validation (new tasks and idempotent replays). */
  acceptedSubmissions(): RecordedRequest[];
  uploads(): UploadRecord[];
  tasks(): TaskSnapshot[];
  /** The current config; `faults` shows the live rules with what is left of `times`. */
  config(): StandInConfig;
  configure(patch: Partial<StandInConfig>): void;
  /** Clears log, tasks, uploads, idempotency keys and faults; restores the start config. */
  reset(): void;
  /** Creates a task as if another tool had submitted it; throws on an invalid request. */
  createTask(input: DirectTaskInput): string;
  /**
   * Calls `listener` synchronously as logged requests are `received` and `answered` (see
   * RequestPhase). Kept across `reset()`. Returns the unsubscribe function.
   */
  onRequest(listener: RequestListener): () => void;
}

/** Largest request body read (uploads are at most 20 MB). */
const MAX_BODY = 64 * 1024 * 1024;
/** Largest request head read (Node's default is 16 KB), so URLs with `urlPadding` still download. */
const MAX_HEADER_SIZE = 1024 * 1024 + 64 * 1024;
const API_ENDPOINTS: ReadonlySet<Endpoint> = new Set(['capabilities', 'presign', 'submit', 'status']);

interface Route {
  endpoint: Endpoint;
  methods: readonly string[];
}

function route(path: string): Route {
  if (path === '/api/open/skills/capabilities') return { endpoint: 'capabilities', methods: ['GET'] };
  if (path === '/api/open/skills/upload/image/presigned') return { endpoint: 'presign', methods: ['POST'] };
  if (path === '/api/open/skills/image-generation') return { endpoint: 'submit', methods: ['POST'] };
  if (path === '/api/open/skills/tasks/status') return { endpoint: 'status', methods: ['GET'] };
  if (path.startsWith(UPLOAD_PATH)) return { endpoint: 'upload', methods: ['PUT'] };
  if (path.startsWith(FILES_PATH)) return { endpoint: 'image', methods: ['GET', 'HEAD'] };
  if (path.startsWith(REDIRECT_PATH)) return { endpoint: 'redirect', methods: ['GET', 'HEAD'] };
  return { endpoint: 'unknown', methods: [] };
}

/**
 * Makes the noise images of `imageBytes` ahead of time (one per image index of a task),
 * so that download benchmarks measure the transfer, not the encoding (~0.2 s per 24 MB).
 */
function warmImages(imageBytes: number | null): void {
  if (imageBytes === null) return;
  for (let variant = 0; variant < 4; variant++) cachedNoisePng(imageBytes, variant);
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const { port: requestedPort = 0, ...initial } = options;
  const startConfig = mergeConfig(defaultConfig(), initial);
  let config = mergeConfig(startConfig, {});
  const faults = new FaultBook(config.seed);
  faults.setRules(config.faults);
  const log = new RequestLog();
  const tasks = new TaskStore();
  const uploads = new UploadStore();
  const signer = new UrlSigner();
  warmImages(config.imageBytes);

  /** Stops the timers of paced bodies and delayed answers (run by close()). */
  const pending = new Set<() => void>();
  const listeners = new Set<{ listener: RequestListener }>();

  const server = createServer({ maxHeaderSize: MAX_HEADER_SIZE });
  server.keepAliveTimeout = 5000;
  await listen(server, requestedPort);
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const currentConfig = (): StandInConfig => ({ ...mergeConfig(config, {}), faults: faults.list() });
  const ctx: api.ApiContext = { baseUrl: url, config: () => config, tasks, uploads, signer };

  const standIn: StandIn = {
    url,
    port,
    close: () => {
      for (const stop of pending) stop();
      pending.clear();
      return closeServer(server);
    },
    requests: () => log.list(),
    submissions: () => log.list().filter((r) => r.endpoint === 'submit' && r.method === 'POST'),
    acceptedSubmissions: () => standIn.submissions().filter((r) => r.accepted === true),
    uploads: () => uploads.uploads(),
    tasks: () => tasks.snapshot(),
    config: currentConfig,
    configure(patch: Partial<StandInConfig>): void {
      const { faults: rules, ...rest } = patch;
      config = mergeConfig(config, rest);
      if (rest.seed !== undefined) faults.reseed(rest.seed);
      if (rules !== undefined) faults.setRules(rules);
      if (rest.imageBytes !== undefined) warmImages(config.imageBytes);
    },
    reset(): void {
      log.clear();
      tasks.clear();
      uploads.clear();
      config = mergeConfig(startConfig, { faults: [] });
      faults.setRules([]);
      faults.reseed(config.seed);
    },
    createTask(input: DirectTaskInput): string {
      const checked = api.checkGeneration({ ...input }, config.capabilities, (k) => uploads.isUploaded(k));
      if (typeof checked === 'string') throw new ConfigError(checked);
      const { taskMs, queuedMs, fail } = input;
      return tasks.create({ ...checked, source: 'control', taskMs, queuedMs, fail }, config).taskId;
    },
    onRequest(listener: RequestListener): () => void {
      const entry = { listener };
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  };

  function notify(record: RecordedRequest, phase: RequestPhase): void {
    if (listeners.size === 0) return;
    const copy = structuredClone(record);
    for (const { listener } of [...listeners]) {
      try {
        listener(copy, phase);
      } catch (error) {
        console.error('[standin] onRequest listener failed:', error);
      }
    }
  }

  /** Runs `stop` when the response closes (done or the client left) or on close(). */
  function track(res: ServerResponse, stop: () => void): void {
    pending.add(stop);
    res.once('close', () => {
      pending.delete(stop);
      stop();
    });
  }

  /** The real answer of a logged endpoint. */
  function answer(target: Route, req: IncomingMessage, reqUrl: URL, body: Buffer, record: RecordedRequest, rule?: FaultRule): Reply {
    const { endpoint, methods } = target;
    if (endpoint === 'unknown') return envelope(404, 404, 'Not found');
    if (!methods.includes(record.method)) return methodNotAllowed(methods);
    if (API_ENDPOINTS.has(endpoint) && !record.authorized) return invalidApiKey();
    const json = isJsonContentType(req.headers['content-type']) ? parseJson(body) : undefined;
    switch (endpoint) {
      case 'capabilities':
        return api.capabilities(ctx);
      case 'presign':
        return api.presign(ctx, json);
      case 'submit':
        return api.submit(ctx, json, record, rule?.kind === 'taskFailed');
      case 'status':
        return api.status(ctx, reqUrl.searchParams);
      case 'upload':
        return api.upload(ctx, decodePath(reqUrl.pathname.slice(UPLOAD_PATH.length)), reqUrl.searchParams, req.headers, body);
      case 'image':
        return api.image(ctx, reqUrl.pathname, reqUrl.searchParams);
      case 'redirect':
        return api.redirect(ctx, reqUrl.pathname, reqUrl.search);
    }
  }

  function perform(action: FaultAction | Reply, req: IncomingMessage, res: ServerResponse, record: RecordedRequest): void {
    if ('type' in action) {
      if (action.type === 'hang') return; // the socket stays open until the client gives up or close()
      if (action.type === 'reset') {
        record.finishedAt = Date.now();
        req.socket.destroy();
        notify(record, 'answered');
        return;
      }
      return perform(action.reply, req, res, record);
    }
    record.status = action.status;
    if (action.code !== undefined) record.code = action.code;
    record.finishedAt = Date.now();
    const headOnly = req.method === 'HEAD';
    if (action.pacing && !headOnly) track(res, sendPacedReply(res, action, action.pacing));
    else sendReply(res, action, headOnly);
    notify(record, 'answered');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reqUrl = new URL(req.url ?? '/', url);
    const method = req.method ?? 'GET';
    if (reqUrl.pathname.startsWith(CONTROL_PATH)) {
      const body = await readBody(req, MAX_BODY);
      sendReply(res, control(standIn, method, reqUrl.pathname, parseJson(body)));
      return;
    }
    const target = route(reqUrl.pathname);
    const { endpoint } = target;
    const record = log.start(req, reqUrl, endpoint, config.apiKey);
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        notify(record, 'received');
        perform(envelope(413, 413, 'Request body too large'), req, res, record);
      }
      return;
    }
    record.bodySize = body.length;
    const parsed = parseJson(body);
    if (parsed !== undefined) record.body = parsed;
    notify(record, 'received');

    const rule = faults.take(endpoint);
    if (rule) record.fault = rule.kind;
    const responseFault = rule && rule.kind !== 'taskFailed' ? rule : undefined;
    if (responseFault && responseFault.afterBody !== true) {
      perform(faultAction(responseFault) ?? emptyReply(500), req, res, record);
      return;
    }
    const reply = answer(target, req, reqUrl, body, record, rule);
    const action = responseFault ? (faultAction(responseFault, reply) ?? reply) : reply;
    const delay = endpoint === 'submit' ? config.submitAnswerDelayMs : 0;
    if (delay <= 0) return perform(action, req, res, record);
    // the server acted; the answer (or the afterBody fault) comes late, or never if the client leaves
    const timer = setTimeout(() => {
      try {
        perform(action, req, res, record);
      } catch (error) {
        console.error('[standin] delayed answer failed:', error);
      }
    }, delay);
    track(res, () => clearTimeout(timer));
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (req.destroyed && !req.complete) return; // the client went away mid-request
      console.error('[standin] request failed:', error);
      sendReply(res, envelope(500, 500, `stand-in error: ${error instanceof Error ? error.message : String(error)}`));
    });
  });

  return standIn;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      server.closeAllConnections();
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
