/**
 * The CreatOK stand-in over real HTTP (Node's global fetch): endpoints, auth, validation,
 * faults, the request log, the task lifecycle, the control API, the PNG encoder and the CLI.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { parseConfigPatch } from '../standin/config';
import { cachedNoisePng, crc32, gradientPng, noisePng } from '../standin/png';
import { DEFAULT_API_KEY, startStandIn, type StandIn, type StandInConfig, type TaskSnapshot } from '../standin/server';

const AUTH = { authorization: `Bearer ${DEFAULT_API_KEY}` };
const JSON_HEADERS = { ...AUTH, 'content-type': 'application/json', accept: 'application/json' };
const STATUS_PATH = '/api/open/skills/tasks/status';
const SUBMIT_PATH = '/api/open/skills/image-generation';
const PRESIGN_PATH = '/api/open/skills/upload/image/presigned';
const CAPS_PATH = '/api/open/skills/capabilities';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** the parsed body, undefined when it is not JSON */
  json: unknown;
}

interface EnvelopeBody {
  code: number;
  message: string;
  data?: Record<string, unknown>;
}

function asEnvelope(answer: Answer): EnvelopeBody {
  const body = answer.json;
  assert.ok(typeof body === 'object' && body !== null, `not a JSON envelope: ${answer.text}`);
  return body as EnvelopeBody;
}

async function call(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(base + path, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A Buffer as a fetch body. */
function raw(bytes: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

function post(body: unknown, headers: Record<string, string> = JSON_HEADERS): RequestInit {
  return { method: 'POST', headers, body: JSON.stringify(body) };
}

/** Polls `probe` until it returns a value (not undefined). */
async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 3000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Checks a PNG fully: signature, chunk CRCs, IHDR, inflated size. Returns its size. */
function checkPng(bytes: Buffer): { width: number; height: number } {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  const types: string[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    assert.equal(bytes.readUInt32BE(offset + 8 + length), crc32(bytes.subarray(offset + 4, offset + 8), data), `CRC of ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8);
      assert.equal(data[9], 2);
    }
    if (type === 'IDAT') idat.push(data);
    types.push(type);
    offset += 12 + length;
  }
  assert.equal(types[0], 'IHDR');
  assert.equal(types[types.length - 1], 'IEND');
  assert.equal(inflateSync(Buffer.concat(idat)).length, height * (1 + width * 3));
  return { width, height };
}

async function submit(base: string, body: Record<string, unknown>, headers: Record<string, string> = JSON_HEADERS): Promise<Answer> {
  return call(base, SUBMIT_PATH, post({ prompt: 'a red fox', model: 'nano-banana-2', resolution: '2K', n: 1, ...body }, headers));
}

async function submitTask(base: string, body: Record<string, unknown> = {}): Promise<string> {
  const answer = await submit(base, body);
  const env = asEnvelope(answer);
  assert.equal(env.code, 0, env.message);
  return String(env.data?.task_id);
}

async function status(base: string, taskId: string): Promise<EnvelopeBody> {
  return asEnvelope(await call(base, `${STATUS_PATH}?task_id=${taskId}&task_type=image_generation`, { headers: AUTH }));
}

async function waitTerminal(base: string, taskId: string): Promise<EnvelopeBody> {
  return waitFor(async () => {
    const env = await status(base, taskId);
    const s = env.data?.status;
    return s === 'succeeded' || s === 'failed' ? env : undefined;
  });
}

async function upload(base: string, bytes: Buffer, fileType = 'image/png'): Promise<{ objectKey: string; url: string }> {
  const env = asEnvelope(
    await call(base, PRESIGN_PATH, post({ fileName: 'ref.png', fileType, fileSize: bytes.length, prefix: 'open-skills/reference-images' })),
  );
  assert.equal(env.code, 0, env.message);
  const url = String(env.data?.presignedUploadUrl);
  const put = await fetch(url, { method: 'PUT', headers: { 'content-type': fileType }, body: raw(bytes) });
  assert.equal(put.status, 200, await put.text());
  return { objectKey: String(env.data?.objectKey), url };
}

const FAST: Partial<StandInConfig> = { queuedMs: 40, taskMs: 120 };

type Images = { url: string; thumbnail_url: string }[];

async function succeededImages(base: string, body: Record<string, unknown> = {}): Promise<{ taskId: string; images: Images }> {
  const taskId = await submitTask(base, body);
  const done = await waitTerminal(base, taskId);
  assert.equal(done.data?.status, 'succeeded');
  return { taskId, images: (done.data?.result as { images: Images }).images };
}

async function listedImages(base: string, taskId: string): Promise<Images> {
  return ((await status(base, taskId)).data?.result as { images: Images }).images;
}

async function bytesOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** false when the client gave up after `idleMs` without a byte */
  ended: boolean;
}

/** GET over node:http (no redirects, no pooling); gives up `idleMs` after the last byte. */
function rawGet(url: string, idleMs: number): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent: false }, (res) => {
      const parts: Buffer[] = [];
      let timer = setTimeout(giveUp, idleMs);
      function giveUp(): void {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), ended: false });
      }
      res.on('data', (part: Buffer) => {
        parts.push(part);
        clearTimeout(timer);
        timer = setTimeout(giveUp, idleMs);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), ended: true });
      });
    });
    req.on('error', reject);
  });
}

/** Live timers of this process (setTimeout / setInterval). */
function liveTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}

describe('CreatOK stand-in', function () {
  let s: StandIn;
  let base: string;

  before(async () => {
    s = await startStandIn({ ...FAST });
    base = s.url;
  });
  after(() => s.close());
  beforeEach(() => s.reset());

  describe('server', () => {
    it('listens on 127.0.0.1 with a random port', () => {
      assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(s.url, `http://127.0.0.1:${s.port}`);
      assert.ok(s.port > 0);
    });

    it('answers unknown routes with 404 and wrong methods with 405', async () => {
      const missing = await call(base, '/api/open/skills/nope', { headers: AUTH });
      assert.equal(missing.status, 404);
      assert.equal(asEnvelope(missing).code, 404);
      const wrong = await call(base, CAPS_PATH, { method: 'DELETE', headers: AUTH });
      assert.equal(wrong.status, 405);
    });
  });

  describe('capabilities', () => {
    it('lists the three models with limits and pricing', async () => {
      const answer = await call(base, CAPS_PATH, { headers: AUTH });
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
      const env = asEnvelope(answer);
      assert.equal(env.code, 0);
      const image = (env.data?.capabilities as { image: StandInConfig['capabilities'] }).image;
      assert.equal(image.default_model, 'nano-banana-2');
      const byId = new Map(image.models.map((m) => [m.id, m]));
      assert.deepEqual([...byId.keys()].sort(), ['nano-banana-2', 'nano-banana-pro', 'seedream-5.0-lite']);
      assert.deepEqual(byId.get('seedream-5.0-lite')?.limits.resolutions, ['2K', '4K']);
      assert.deepEqual(byId.get('nano-banana-pro')?.limits.resolutions, ['1K', '2K', '4K']);
      assert.deepEqual(byId.get('seedream-5.0-lite')?.pricing?.by_resolution, { '2K': 1, '4K': 2 });
      assert.deepEqual(byId.get('nano-banana-2')?.pricing?.by_resolution, { '1K': 1, '2K': 2, '4K': 3 });
      assert.deepEqual(byId.get('nano-banana-pro')?.pricing?.by_resolution, { '1K': 2, '2K': 3, '4K': 4 });
      assert.equal(byId.get('seedream-5.0-lite')?.limits.max_reference_images, 3);
      assert.equal(byId.get('nano-banana-2')?.limits.max_reference_images, 5);
      for (const m of image.models) {
        assert.deepEqual(m.limits.n, { min: 1, max: 4 });
        assert.deepEqual(m.limits.aspect_ratios, ['1:1', '16:9', '9:16', '4:3', '3:4']);
        assert.equal(typeof m.defaults.resolution, 'string');
      }
    });

    it('can be overridden, e.g. without pricing and aspect ratios', async () => {
      const caps = s.config().capabilities;
      for (const m of caps.models) {
        delete m.pricing;
        delete m.limits.aspect_ratios;
      }
      s.configure({ capabilities: caps });
      const env = asEnvelope(await call(base, CAPS_PATH, { headers: AUTH }));
      const text = JSON.stringify(env.data);
      assert.ok(!text.includes('pricing') && !text.includes('aspect_ratios'));
      // without a list, any well-formed ratio is accepted
      assert.equal(asEnvelope(await submit(base, { aspect_ratio: '2:3' })).code, 0);
      s.reset();
      assert.ok(JSON.stringify(asEnvelope(await call(base, CAPS_PATH, { headers: AUTH })).data).includes('pricing'));
    });
  });

  describe('auth', () => {
    it('answers 401 without a key or with a wrong key, and logs it redacted', async () => {
      const none = await call(base, CAPS_PATH);
      assert.equal(none.status, 401);
      assert.deepEqual(none.json, { code: 401, message: 'Invalid API key' });
      const wrong = await call(base, CAPS_PATH, { headers: { authorization: 'Bearer ok_wrong' } });
      assert.equal(wrong.status, 401);
      const submitted = await submit(base, {}, { 'content-type': 'application/json', authorization: 'Bearer ok_wrong' });
      assert.equal(submitted.status, 401);
      assert.equal(s.tasks().length, 0);
      const log = s.requests();
      assert.equal(log.length, 3);
      assert.equal(log[0].authorized, false);
      assert.equal(log[0].headers.authorization, undefined);
      assert.equal(log[1].headers.authorization, 'Bearer ***');
      assert.ok(!JSON.stringify(log).includes('ok_wrong'));
    });

    it('accepts a configured key and never logs it', async () => {
      s.configure({ apiKey: 'ok_other' });
      const answer = await call(base, CAPS_PATH, { headers: { authorization: 'Bearer ok_other' } });
      assert.equal(answer.status, 200);
      const [record] = s.requests();
      assert.equal(record.authorized, true);
      assert.equal(record.headers.authorization, 'Bearer ***');
      assert.ok(!JSON.stringify(s.requests()).includes('ok_other'));
    });
  });

  describe('reference uploads', () => {
    it('presigns and stores an upload with its sha256', async () => {
      const bytes = gradientPng(8, 8, 7);
      const { objectKey, url } = await upload(base, bytes);
      assert.match(objectKey, /^open-skills\/reference-images\/[0-9a-f-]{36}-ref\.png$/);
      assert.ok(url.startsWith(`${base}/__storage/upload/${objectKey}?X-Sig=`));
      const [stored] = s.uploads();
      assert.deepEqual(
        { objectKey: stored.objectKey, size: stored.size, contentType: stored.contentType, sha256: stored.sha256 },
        { objectKey, size: bytes.length, contentType: 'image/png', sha256: createHash('sha256').update(bytes).digest('hex') },
      );
      const put = s.requests().find((r) => r.endpoint === 'upload');
      assert.equal(put?.status, 200);
      assert.equal(put?.bodySize, bytes.length);
    });

    it('sanitises the file name and the prefix', async () => {
      const env = asEnvelope(
        await call(base, PRESIGN_PATH, post({ fileName: '../my cat (1).webp', fileType: 'image/webp', fileSize: 10, prefix: '/a/../b/' })),
      );
      assert.match(String(env.data?.objectKey), /^a\/b\/[0-9a-f-]{36}-my_cat_1_\.webp$/);
    });

    it('refuses invalid presign requests with HTTP 400 and a non-zero code', async () => {
      const good = { fileName: 'a.png', fileType: 'image/png', fileSize: 10, prefix: 'p' };
      const bad: Record<string, unknown>[] = [
        { ...good, fileType: 'image/bmp' },
        { ...good, fileSize: 0 },
        { ...good, fileSize: 1.5 },
        { ...good, fileSize: 20 * 1024 * 1024 + 1 },
        { ...good, fileName: '' },
        { fileType: 'image/png', fileSize: 10 },
      ];
      for (const body of bad) {
        const answer = await call(base, PRESIGN_PATH, post(body));
        assert.equal(answer.status, 400, JSON.stringify(body));
        const env = asEnvelope(answer);
        assert.notEqual(env.code, 0);
        assert.ok(env.message.length > 0);
      }
      const notJson = await call(base, PRESIGN_PATH, { method: 'POST', headers: AUTH, body: JSON.stringify(good) });
      assert.equal(notJson.status, 400);
      assert.equal(asEnvelope(await call(base, PRESIGN_PATH, post({ ...good, fileSize: 20 * 1024 * 1024 }))).code, 0);
    });

    it('refuses an Authorization header, another type, a wrong signature or size, like S3', async () => {
      const bytes = Buffer.from('0123456789');
      const env = asEnvelope(await call(base, PRESIGN_PATH, post({ fileName: 'a.png', fileType: 'image/png', fileSize: 10, prefix: 'p' })));
      const url = String(env.data?.presignedUploadUrl);
      const attempts: [string, RequestInit][] = [
        [url, { method: 'PUT', headers: { ...AUTH, 'content-type': 'image/png' }, body: raw(bytes) }],
        [url, { method: 'PUT', headers: { 'content-type': 'image/jpeg' }, body: raw(bytes) }],
        [url.replace(/X-Sig=\w+/, 'X-Sig=0000'), { method: 'PUT', headers: { 'content-type': 'image/png' }, body: raw(bytes) }],
        [url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: raw(Buffer.from('012345678')) }],
      ];
      for (const [target, init] of attempts) {
        const res = await fetch(target, init);
        assert.equal(res.status, 400);
        assert.match(await res.text(), /<Error><Code>\w+<\/Code>/);
      }
      assert.equal(s.uploads().length, 0);
      assert.equal((await fetch(url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: raw(bytes) })).status, 200);
      assert.equal(s.uploads().length, 1);
    });
  });

  describe('submit', () => {
    it('creates a queued task and logs the accepted submission', async () => {
      const answer = await submit(base, { aspect_ratio: '16:9', n: 2 }, { ...JSON_HEADERS, 'idempotency-key': 'k1' });
      assert.equal(answer.status, 200);
      const env = asEnvelope(answer);
      assert.equal(env.code, 0);
      assert.equal(env.data?.status, 'queued');
      assert.match(String(env.data?.task_id), /^task_[0-9a-f]+$/);
      const [task] = s.tasks();
      assert.equal(task.taskId, env.data?.task_id);
      assert.deepEqual([task.model, task.resolution, task.n, task.aspectRatio, task.source], ['nano-banana-2', '2K', 2, '16:9', 'api']);
      const [record] = s.acceptedSubmissions();
      assert.equal(record.taskCreated, task.taskId);
      assert.equal(record.idempotencyKey, 'k1');
      assert.deepEqual(record.body, { prompt: 'a red fox', model: 'nano-banana-2', resolution: '2K', n: 2, aspect_ratio: '16:9' });
    });

    it('accepts uploaded reference images and refuses unknown ones', async () => {
      const { objectKey } = await upload(base, gradientPng(4, 4, 1));
      assert.equal(asEnvelope(await submit(base, { imageObjectKeys: [objectKey] })).code, 0);
      const refused = asEnvelope(await submit(base, { imageObjectKeys: ['open-skills/reference-images/never-uploaded.png'] }));
      assert.equal(refused.code, 40001);
      assert.match(refused.message, /never-uploaded/);
      assert.deepEqual(s.tasks()[0].imageObjectKeys, [objectKey]);
    });

    it('refuses invalid requests with HTTP 200 and code 40001, and logs them', async () => {
      const bad: Record<string, unknown>[] = [
        { model: 'dall-e-3' },
        { model: 'seedream-5.0-lite', resolution: '1K' },
        { n: 0 },
        { n: 5 },
        { n: 1.5 },
        { aspect_ratio: '21:9' },
        { prompt: '   ' },
        { model: 'seedream-5.0-lite', imageObjectKeys: ['a', 'b', 'c', 'd'] },
        { imageObjectKeys: 'a' },
      ];
      for (const body of bad) {
        const answer = await submit(base, body);
        assert.equal(answer.status, 200);
        const env = asEnvelope(answer);
        assert.equal(env.code, 40001, JSON.stringify(body));
        assert.ok(env.message.length > 0);
      }
      assert.equal(asEnvelope(await submit(base, { model: 'seedream-5.0-lite', resolution: '4K', n: 4 })).code, 0);
      assert.equal(s.submissions().length, bad.length + 1);
      assert.equal(s.acceptedSubmissions().length, 1);
      assert.ok(s.submissions().slice(0, bad.length).every((r) => r.accepted === false && r.code === 40001 && r.taskCreated === undefined));
      assert.equal(s.tasks().length, 1);
    });

    it('refuses a body sent without the JSON content type', async () => {
      const answer = await call(base, SUBMIT_PATH, { method: 'POST', headers: AUTH, body: '{"prompt":"x"}' });
      assert.equal(answer.status, 400);
      assert.notEqual(asEnvelope(answer).code, 0);
      assert.equal(s.tasks().length, 0);
    });

    it('answers a repeated Idempotency-Key with the same task and marks the replay', async () => {
      const headers = { ...JSON_HEADERS, 'idempotency-key': 'same-key' };
      const first = asEnvelope(await submit(base, {}, headers));
      const second = asEnvelope(await submit(base, {}, headers));
      assert.equal(second.code, 0);
      assert.equal(second.data?.task_id, first.data?.task_id);
      assert.equal(s.tasks().length, 1);
      const [a, b] = s.submissions();
      assert.equal(a.replay, undefined);
      assert.equal(b.replay, true);
      assert.equal(b.taskCreated, undefined);
      assert.equal(b.taskId, first.data?.task_id);
      assert.equal(s.acceptedSubmissions().filter((r) => r.taskCreated !== undefined).length, 1);
      const other = asEnvelope(await submit(base, {}, { ...JSON_HEADERS, 'idempotency-key': 'other-key' }));
      assert.notEqual(other.data?.task_id, first.data?.task_id);
    });
  });

  describe('task lifecycle', () => {
    it('goes queued → running (with progress) → succeeded on the configured timeline', async () => {
      s.configure({ queuedMs: 60, taskMs: 240 });
      const taskId = await submitTask(base, { n: 3 });
      const seen: string[] = [];
      const progress: number[] = [];
      const done = await waitFor(async () => {
        const env = await status(base, taskId);
        const st = String(env.data?.status);
        if (seen[seen.length - 1] !== st) seen.push(st);
        if (st === 'running') progress.push(Number(env.data?.progress));
        else assert.equal(env.data?.progress, undefined);
        return st === 'succeeded' ? env : undefined;
      });
      assert.deepEqual(seen, ['queued', 'running', 'succeeded']);
      assert.ok(progress.length > 0 && progress.every((p) => Number.isInteger(p) && p >= 0 && p <= 100));
      assert.deepEqual([...progress].sort((x, y) => x - y), progress);
      const images = (done.data?.result as { images: { url: string; thumbnail_url: string }[] }).images;
      assert.equal(images.length, 3);
      const task: TaskSnapshot = s.tasks()[0];
      assert.equal(task.finishedAt, task.createdAt + 240);
      assert.equal(task.runningAt, task.createdAt + 60);
      assert.equal(task.status, 'succeeded');
      assert.ok(task.terminalSeenAt !== undefined && task.terminalSeenAt >= task.finishedAt);
      assert.equal(task.polls, s.requests().filter((r) => r.endpoint === 'status').length);
    });

    it('serves the images as real PNGs at their signed URLs, and refuses wrong signatures', async () => {
      const taskId = await submitTask(base, { n: 2 });
      const done = await waitTerminal(base, taskId);
      const images = (done.data?.result as { images: { url: string; thumbnail_url: string }[] }).images;
      assert.match(images[0].url, new RegExp(`^${base}/__files/${taskId}/image_1\\.png\\?X-Expires=\\d+&X-Signature=[0-9a-f]+$`));
      assert.match(images[1].thumbnail_url, new RegExp(`/__files/${taskId}/thumb_2\\.png\\?`));
      const bodies: Buffer[] = [];
      for (const url of [images[0].url, images[1].url]) {
        const res = await fetch(url);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'image/png');
        const bytes = Buffer.from(await res.arrayBuffer());
        assert.equal(Number(res.headers.get('content-length')), bytes.length);
        assert.deepEqual(checkPng(bytes), { width: 512, height: 512 });
        bodies.push(bytes);
      }
      assert.ok(!bodies[0].equals(bodies[1]), 'two images of a task differ');
      const thumb = await fetch(images[0].thumbnail_url);
      assert.deepEqual(checkPng(Buffer.from(await thumb.arrayBuffer())), { width: 128, height: 128 });
      const forged = await fetch(images[0].url.replace(/X-Signature=[0-9a-f]{4}/, 'X-Signature=ffff'));
      assert.equal(forged.status, 403);
      const otherFile = await fetch(images[0].url.replace('image_1.png', 'image_2.png'));
      assert.equal(otherFile.status, 403);
      const later = await fetch(images[0].url.replace(/X-Expires=(\d+)/, (_m, e: string) => `X-Expires=${Number(e) + 1}`));
      assert.equal(later.status, 403);
      // the status answer hands out the very same URL every time
      const again = (await status(base, taskId)).data?.result as { images: { url: string }[] };
      assert.equal(again.images[0].url, images[0].url);
    });

    it('serves images of about `imageBytes` when configured', async () => {
      s.configure({ imageBytes: 300_000 });
      const taskId = await submitTask(base);
      const done = await waitTerminal(base, taskId);
      const [image] = (done.data?.result as { images: { url: string }[] }).images;
      const bytes = Buffer.from(await (await fetch(image.url)).arrayBuffer());
      assert.ok(Math.abs(bytes.length - 300_000) < 3000, `size ${bytes.length}`);
      checkPng(bytes);
    });

    it('fails a prompt containing [fail] with the safety-filter message', async () => {
      const taskId = await submitTask(base, { prompt: 'a cat [fail]' });
      const done = await waitTerminal(base, taskId);
      assert.equal(done.data?.status, 'failed');
      assert.deepEqual(done.data?.error, {
        message: 'The image could not be generated: the prompt was rejected by the safety filter.',
      });
      assert.equal(done.data?.result, undefined);
    });

    it('gives a [slow:N] prompt N ms', async () => {
      s.configure({ taskMs: 60_000 });
      const taskId = await submitTask(base, { prompt: 'a cat [slow:80]' });
      assert.equal((await waitTerminal(base, taskId)).data?.status, 'succeeded');
      assert.equal(s.tasks()[0].taskMs, 80);
    });

    it('answers an unknown task with HTTP 200 and a non-zero code (or 404 when asked), and 400 without task_id or task_type', async () => {
      const unknown = await call(base, `${STATUS_PATH}?task_id=task_nope&task_type=image_generation`, { headers: AUTH });
      assert.equal(unknown.status, 200);
      assert.deepEqual(unknown.json, { code: 40004, message: 'task not found' });
      s.configure({ unknownTaskAnswer: 'http404' });
      const as404 = await call(base, `${STATUS_PATH}?task_id=task_nope&task_type=image_generation`, { headers: AUTH });
      assert.equal(as404.status, 404);
      assert.deepEqual(as404.json, { code: 404, message: 'Task not found' });
      const taskId = await submitTask(base);
      assert.equal((await call(base, `${STATUS_PATH}?task_id=${taskId}`, { headers: AUTH })).status, 400);
      assert.equal((await call(base, `${STATUS_PATH}?task_type=image_generation`, { headers: AUTH })).status, 400);
    });
  });

  describe('faults', () => {
    it('http500: HTTP 500 with a JSON envelope', async () => {
      s.configure({ faults: [{ endpoint: 'capabilities', kind: 'http500' }] });
      const answer = await call(base, CAPS_PATH, { headers: AUTH });
      assert.equal(answer.status, 500);
      assert.equal(asEnvelope(answer).code, 500);
      assert.equal(s.requests()[0].fault, 'http500');
    });

    it('html502: an nginx HTML page', async () => {
      s.configure({ faults: [{ endpoint: 'status', kind: 'html502' }] });
      const answer = await call(base, `${STATUS_PATH}?task_id=x&task_type=image_generation`, { headers: AUTH });
      assert.equal(answer.status, 502);
      assert.equal(answer.headers.get('content-type'), 'text/html');
      assert.match(answer.text, /<title>502 Bad Gateway<\/title>/);
      assert.equal(answer.json, undefined);
    });

    it('http503 and http429 carry Retry-After when given', async () => {
      const date = new Date(Date.now() + 5000).toUTCString();
      s.configure({
        faults: [
          { endpoint: 'submit', kind: 'http503', retryAfter: '2', times: 1 },
          { endpoint: 'submit', kind: 'http429', retryAfter: date, times: 1 },
          { endpoint: 'submit', kind: 'http429', times: 1 },
        ],
      });
      const a = await submit(base, {});
      assert.equal(a.status, 503);
      assert.equal(a.headers.get('retry-after'), '2');
      const b = await submit(base, {});
      assert.equal(b.status, 429);
      assert.equal(b.headers.get('retry-after'), date);
      const c = await submit(base, {});
      assert.equal(c.status, 429);
      assert.equal(c.headers.get('retry-after'), null);
      assert.equal(s.tasks().length, 0);
      assert.equal((await submit(base, {})).status, 200);
      assert.equal(s.tasks().length, 1);
    });

    it('malformedJson: HTTP 200 with a truncated JSON body', async () => {
      s.configure({ faults: [{ endpoint: 'capabilities', kind: 'malformedJson' }] });
      const answer = await call(base, CAPS_PATH, { headers: AUTH });
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /application\/json/);
      assert.ok(answer.text.startsWith('{'));
      assert.equal(answer.json, undefined);
    });

    it('malformedJson after the body: the task exists, the answer is a truncated envelope', async () => {
      s.configure({ faults: [{ endpoint: 'submit', kind: 'malformedJson', afterBody: true }] });
      const answer = await submit(base, {});
      assert.equal(answer.json, undefined);
      assert.ok(answer.text.startsWith('{"code":0'));
      assert.equal(s.tasks().length, 1);
      assert.equal(s.submissions()[0].taskCreated, s.tasks()[0].taskId);
    });

    it('apiError: HTTP 200 with code 50001', async () => {
      s.configure({ faults: [{ endpoint: 'presign', kind: 'apiError' }] });
      const answer = await call(base, PRESIGN_PATH, post({ fileName: 'a.png', fileType: 'image/png', fileSize: 1, prefix: 'p' }));
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json, { code: 50001, message: 'Internal error, please retry' });
    });

    it('http401: HTTP 401 even with the right key', async () => {
      s.configure({ faults: [{ endpoint: 'any', kind: 'http401' }] });
      const answer = await call(base, CAPS_PATH, { headers: AUTH });
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.json, { code: 401, message: 'Invalid API key' });
      assert.equal(s.requests()[0].authorized, true);
    });

    it('hang: no answer until the client gives up', async () => {
      s.configure({ faults: [{ endpoint: 'status', kind: 'hang', times: 1 }] });
      const started = Date.now();
      await assert.rejects(
        fetch(`${base}${STATUS_PATH}?task_id=x&task_type=image_generation`, { headers: AUTH, signal: AbortSignal.timeout(150) }),
        (error: Error) => error.name === 'TimeoutError',
      );
      assert.ok(Date.now() - started >= 140);
      const [record] = s.requests();
      assert.equal(record.fault, 'hang');
      assert.equal(record.status, undefined);
      // expired after one request
      assert.equal(((await call(base, `${STATUS_PATH}?task_id=x&task_type=image_generation`, { headers: AUTH })).json as { code: number }).code, 40004);
    });

    it('reset before processing: the connection drops and no task is created', async () => {
      s.configure({ faults: [{ endpoint: 'submit', kind: 'reset', times: 1 }] });
      await assert.rejects(submit(base, {}, { ...JSON_HEADERS, 'idempotency-key': 'k' }), TypeError);
      assert.equal(s.tasks().length, 0);
      const [record] = s.submissions();
      assert.equal(record.fault, 'reset');
      assert.equal(record.taskCreated, undefined);
      assert.equal(record.status, undefined);
      // the retry with the same key creates the task
      assert.equal(asEnvelope(await submit(base, {}, { ...JSON_HEADERS, 'idempotency-key': 'k' })).code, 0);
      assert.equal(s.tasks().length, 1);
    });

    it('reset after the body: the task is created, the answer is lost, a keyed retry replays it', async () => {
      s.configure({ faults: [{ endpoint: 'submit', kind: 'reset', afterBody: true, times: 1 }] });
      const headers = { ...JSON_HEADERS, 'idempotency-key': 'lost-answer' };
      await assert.rejects(submit(base, {}, headers), TypeError);
      assert.equal(s.tasks().length, 1);
      const [lost] = s.submissions();
      assert.equal(lost.fault, 'reset');
      assert.equal(lost.accepted, true);
      assert.equal(lost.taskCreated, s.tasks()[0].taskId);
      const retry = asEnvelope(await submit(base, {}, headers));
      assert.equal(retry.data?.task_id, lost.taskCreated);
      assert.equal(s.tasks().length, 1);
      assert.equal(s.submissions()[1].replay, true);
    });

    it('taskFailed: the submission succeeds and the task ends failed', async () => {
      s.configure({ faults: [{ endpoint: 'any', kind: 'taskFailed', times: 1 }] });
      assert.equal((await call(base, CAPS_PATH, { headers: AUTH })).status, 200);
      const taskId = await submitTask(base);
      assert.equal(s.submissions()[0].fault, 'taskFailed');
      const done = await waitTerminal(base, taskId);
      assert.equal(done.data?.status, 'failed');
      assert.ok(String((done.data?.error as { message: string }).message).length > 0);
      assert.equal(s.config().faults.length, 0);
    });

    it('faults on the storage and image endpoints', async () => {
      const taskId = await submitTask(base);
      const done = await waitTerminal(base, taskId);
      const [image] = (done.data?.result as { images: { url: string }[] }).images;
      s.configure({ faults: [{ endpoint: 'image', kind: 'http503', retryAfter: '1', times: 1 }, { endpoint: 'upload', kind: 'reset', times: 1 }] });
      const res = await fetch(image.url);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal((await fetch(image.url)).status, 200);
      const env = asEnvelope(await call(base, PRESIGN_PATH, post({ fileName: 'a.png', fileType: 'image/png', fileSize: 3, prefix: 'p' })));
      const put = (): Promise<Response> =>
        fetch(String(env.data?.presignedUploadUrl), { method: 'PUT', headers: { 'content-type': 'image/png' }, body: raw(Buffer.from('abc')) });
      await assert.rejects(put(), TypeError);
      assert.equal(s.uploads().length, 0);
      assert.equal((await put()).status, 200);
    });

    it('`times` expires a rule after N hits', async () => {
      s.configure({ faults: [{ endpoint: 'capabilities', kind: 'http500', times: 2 }] });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(base, CAPS_PATH, { headers: AUTH })).status);
      assert.deepEqual(statuses, [500, 500, 200]);
      assert.deepEqual(s.config().faults, []);
    });

    it('`probability` is reproducible from the seed', async () => {
      const pattern = async (standIn: StandIn): Promise<number[]> => {
        const out: number[] = [];
        for (let i = 0; i < 24; i++) out.push((await call(standIn.url, CAPS_PATH, { headers: AUTH })).status);
        return out;
      };
      const faults = [{ endpoint: 'capabilities' as const, kind: 'http500' as const, probability: 0.5 }];
      s.configure({ seed: 42, faults });
      const first = await pattern(s);
      const other = await startStandIn({ seed: 42, faults });
      try {
        assert.deepEqual(await pattern(other), first);
      } finally {
        await other.close();
      }
      assert.ok(first.includes(500) && first.includes(200), first.join(','));
    });
  });

  describe('request log', () => {
    it('records every request with endpoint, query, body, status and code', async () => {
      await call(base, CAPS_PATH, { headers: AUTH });
      await submit(base, { n: 2 });
      await call(base, `${STATUS_PATH}?task_id=task_x&task_type=image_generation`, { headers: AUTH });
      await call(base, '/elsewhere');
      const log = s.requests();
      assert.deepEqual(
        log.map((r) => [r.method, r.endpoint, r.status, r.code]),
        [
          ['GET', 'capabilities', 200, 0],
          ['POST', 'submit', 200, 0],
          ['GET', 'status', 200, 40004],
          ['GET', 'unknown', 404, 404],
        ],
      );
      assert.deepEqual(log[2].query, { task_id: 'task_x', task_type: 'image_generation' });
      assert.equal((log[1].body as { n: number }).n, 2);
      assert.ok(log.every((r, i) => r.id > 0 && (i === 0 || r.id > log[i - 1].id) && r.at <= (r.finishedAt ?? Infinity)));
      // snapshots are copies
      log[0].method = 'CHANGED';
      assert.equal(s.requests()[0].method, 'GET');
    });

    it('reset() clears the log, tasks, uploads and faults and restores the start config', async () => {
      await upload(base, Buffer.from('png?'));
      await submitTask(base);
      s.configure({ taskMs: 5, faults: [{ endpoint: 'any', kind: 'http500' }] });
      s.reset();
      assert.deepEqual([s.requests().length, s.tasks().length, s.uploads().length, s.config().faults.length], [0, 0, 0, 0]);
      assert.equal(s.config().taskMs, FAST.taskMs);
    });
  });

  describe('control API', () => {
    it('reads and changes the config, faults included, and refuses bad patches', async () => {
      const set = await call(base, '/__standin/config', post({ taskMs: 500, faults: [{ endpoint: 'submit', kind: 'reset', afterBody: true }] }, {}));
      assert.equal(set.status, 200);
      assert.equal((set.json as { taskMs: number }).taskMs, 500);
      assert.equal(s.config().taskMs, 500);
      assert.deepEqual(s.config().faults, [{ endpoint: 'submit', kind: 'reset', afterBody: true }]);
      const got = await call(base, '/__standin/config');
      assert.equal((got.json as { failPromptPattern: string }).failPromptPattern, '[fail]');
      for (const bad of [{ taskMs: 'soon' }, { faults: [{ endpoint: 'submit', kind: 'explode' }] }, { tskMs: 1 }]) {
        const answer = await call(base, '/__standin/config', post(bad, {}));
        assert.equal(answer.status, 400, JSON.stringify(bad));
        assert.ok((answer.json as { error: string }).error.length > 0);
      }
    });

    it('creates tasks directly and lists tasks, requests, uploads; control calls are not logged', async () => {
      const created = await call(base, '/__standin/tasks', post({ prompt: 'from elsewhere', model: 'nano-banana-pro', resolution: '1K', n: 1, taskMs: 50 }, {}));
      assert.equal(created.status, 200);
      const taskId = (created.json as { task_id: string }).task_id;
      const bad = await call(base, '/__standin/tasks', post({ prompt: 'x', model: 'seedream-5.0-lite', resolution: '1K', n: 1 }, {}));
      assert.equal(bad.status, 400);
      const tasks = (await call(base, '/__standin/tasks')).json as TaskSnapshot[];
      assert.equal(tasks.length, 1);
      assert.equal(tasks[0].taskId, taskId);
      assert.equal(tasks[0].source, 'control');
      assert.equal(tasks[0].finishedAt - tasks[0].createdAt, 50);
      assert.equal((await waitTerminal(base, taskId)).data?.status, 'succeeded');
      await upload(base, Buffer.from('xyz'));
      assert.equal(((await call(base, '/__standin/uploads')).json as unknown[]).length, 1);
      const log = (await call(base, '/__standin/requests')).json as { endpoint: string }[];
      assert.ok(log.length > 0 && log.every((r) => r.endpoint !== 'unknown'));
      assert.ok(!s.requests().some((r) => r.path.startsWith('/__standin/')));
      assert.deepEqual((await call(base, '/__standin/reset', { method: 'POST' })).json, { ok: true });
      assert.deepEqual((await call(base, '/__standin/tasks')).json, []);
      assert.equal((await call(base, '/__standin/nope')).status, 404);
    });
  });

  describe('image host and timing knobs', () => {
    it('imageStyle scene: a picture from the prompt in the task\'s aspect ratio (thumbnail too), the same for the same prompt', async () => {
      s.configure({ imageStyle: 'scene', imageWidth: 640, imageHeight: 640, thumbnailSize: 160 });
      const fetchPng = async (url: string): Promise<Buffer> => Buffer.from(await (await fetch(url)).arrayBuffer());
      const lighthouse = await succeededImages(base, { prompt: 'A lighthouse on a rocky coast at dusk', aspect_ratio: '16:9', n: 2 });
      const [first, second] = await Promise.all(lighthouse.images.map((i) => fetchPng(i.url)));
      assert.deepEqual(checkPng(first!), { width: 640, height: 360 });
      assert.deepEqual(checkPng(await fetchPng(lighthouse.images[0]!.thumbnail_url)), { width: 160, height: 90 });
      assert.notDeepEqual(first, second, 'two images of a task differ');
      const again = await succeededImages(base, { prompt: 'A lighthouse on a rocky coast at dusk', aspect_ratio: '16:9', n: 1 });
      assert.deepEqual(await fetchPng(again.images[0]!.url), first, 'the same prompt draws the same picture');
      const mug = await succeededImages(base, { prompt: 'A ceramic coffee mug on a wooden table', aspect_ratio: '9:16', n: 1 });
      const mugPng = await fetchPng(mug.images[0]!.url);
      assert.deepEqual(checkPng(mugPng), { width: 360, height: 640 });
      assert.throws(() => parseConfigPatch({ imageStyle: 'photo' }), /imageStyle must be/);
      assert.deepEqual(parseConfigPatch({ imageStyle: 'scene' }), { imageStyle: 'scene' });
    });

    it('extraImages: lists n + extraImages signed images, but indices above n answer 404', async () => {
      s.configure({ extraImages: 2 });
      const { taskId, images } = await succeededImages(base, { n: 2 });
      assert.equal(images.length, 4);
      images.forEach((image, i) => {
        assert.match(image.url, new RegExp(`^${base}/__files/${taskId}/image_${i + 1}\\.png\\?X-Expires=\\d+&X-Signature=[0-9a-f]{64}$`));
        assert.match(image.thumbnail_url, new RegExp(`^${base}/__files/${taskId}/thumb_${i + 1}\\.png\\?X-Expires=\\d+&X-Signature=[0-9a-f]{64}$`));
      });
      const statuses: number[] = [];
      for (const url of [images[1].url, images[2].url, images[3].url, images[2].thumbnail_url]) {
        const res = await fetch(url);
        await res.arrayBuffer();
        statuses.push(res.status);
      }
      assert.deepEqual(statuses, [200, 404, 404, 404]);
      const log = s.requests().filter((r) => r.endpoint === 'image');
      assert.deepEqual(
        log.map((r) => [r.path.split('/').pop(), r.status]),
        [['image_2.png', 200], ['image_3.png', 404], ['image_4.png', 404], ['thumb_3.png', 404]],
      );
      // ten thousand extras are signed per answer, quickly
      s.configure({ extraImages: 10_000 });
      const started = Date.now();
      const many = await listedImages(base, taskId);
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
      assert.equal(many.length, 10_002);
      assert.match(many[10_001].thumbnail_url, new RegExp(`/__files/${taskId}/thumb_10002\\.png\\?X-Expires=`));
      const last = await fetch(many[10_001].url);
      await last.arrayBuffer();
      assert.equal(last.status, 404);
      assert.equal((await fetch(many[0].url)).status, 200);
    });

    it('urlPadding: a padded URL longer than 16 KB downloads the same bytes; the padding is signed', async () => {
      const { taskId, images } = await succeededImages(base);
      const plain = await bytesOf(await fetch(images[0].url));
      s.configure({ urlPadding: 20_000 });
      const [padded] = await listedImages(base, taskId);
      const padding = 'a'.repeat(20_000);
      assert.match(padded.url, new RegExp(`^${base}/__files/${taskId}/image_1\\.png\\?X-Expires=\\d+&X-Padding=a{20000}&X-Signature=[0-9a-f]{64}$`));
      assert.ok(padded.thumbnail_url.includes(`&X-Padding=${padding}&`));
      const res = await fetch(padded.url);
      assert.equal(res.status, 200);
      assert.ok((await bytesOf(res)).equals(plain));
      const thumb = await fetch(padded.thumbnail_url);
      assert.equal(thumb.status, 200);
      checkPng(await bytesOf(thumb));
      const cut = await fetch(padded.url.replace(`X-Padding=${padding}`, 'X-Padding=a'));
      await cut.arrayBuffer();
      assert.equal(cut.status, 403);
    });

    it('imageRedirects: 3 hops (absolute, relative, absolute) end in the same bytes; none authorized', async () => {
      const { taskId, images } = await succeededImages(base);
      const direct = images[0].url;
      const directBytes = await bytesOf(await fetch(direct));
      s.configure({ imageRedirects: 3 });
      const [image] = await listedImages(base, taskId);
      const query = direct.slice(direct.indexOf('?'));
      assert.equal(image.url, `${base}/__redirect/3/${taskId}/image_1.png${query}`);
      assert.match(image.thumbnail_url, new RegExp(`^${base}/__redirect/3/${taskId}/thumb_1\\.png\\?X-Expires=`));
      const locations: string[] = [];
      let next = image.url;
      for (let hop = 0; hop < 3; hop++) {
        const res = await fetch(next, { redirect: 'manual' });
        await res.arrayBuffer();
        assert.equal(res.status, 302);
        const location = res.headers.get('location') ?? '';
        locations.push(location);
        next = new URL(location, next).href;
      }
      assert.deepEqual(locations, [`${base}/__redirect/2/${taskId}/image_1.png${query}`, `/__redirect/1/${taskId}/image_1.png${query}`, direct]);
      const last = await fetch(next, { redirect: 'manual' });
      assert.equal(last.status, 200);
      assert.ok((await bytesOf(last)).equals(directBytes));
      // fetch following on its own ends at the same bytes, thumbnails too
      assert.ok((await bytesOf(await fetch(image.url))).equals(directBytes));
      assert.deepEqual(checkPng(await bytesOf(await fetch(image.thumbnail_url))), { width: 128, height: 128 });
      const hops = s.requests().filter((r) => r.endpoint === 'redirect');
      assert.equal(hops.length, 9);
      assert.ok(hops.every((r) => r.status === 302 && !r.authorized && r.headers.authorization === undefined));
      // the log would show a hop that carried the key, and HEAD answers a hop as well
      const head = await fetch(image.url, { method: 'HEAD', headers: AUTH, redirect: 'manual' });
      assert.equal(head.status, 302);
      const [record] = s.requests().slice(-1);
      assert.deepEqual([record.endpoint, record.method, record.authorized], ['redirect', 'HEAD', true]);
    });

    it('imageRedirectTarget: the last hop answers the target verbatim', async () => {
      s.configure({ imageRedirects: 2, imageRedirectTarget: 'file:///etc/passwd' });
      const { images } = await succeededImages(base);
      const first = await fetch(images[0].url, { redirect: 'manual' });
      assert.equal(first.status, 302);
      const hop = new URL(first.headers.get('location') ?? '', images[0].url).href;
      assert.match(hop, /\/__redirect\/1\//);
      const lastHop = async (): Promise<string | null> => (await fetch(hop, { redirect: 'manual' })).headers.get('location');
      assert.equal(await lastHop(), 'file:///etc/passwd');
      s.configure({ imageRedirectTarget: 'http://example.com/x.png' });
      assert.equal(await lastHop(), 'http://example.com/x.png');
      s.configure({ imageRedirectTarget: null });
      assert.match((await lastHop()) ?? '', new RegExp(`^${base}/__files/`));
    });

    it('imageBytesPerSecond: an image trickles at about the rate with the full Content-Length first; thumbnails do not', async () => {
      s.configure({ imageBytes: 30_000, imageBytesPerSecond: 20_000 });
      const { images } = await succeededImages(base);
      const started = Date.now();
      const res = await fetch(images[0].url);
      const headersAfter = Date.now() - started;
      const length = Number(res.headers.get('content-length'));
      const bytes = await bytesOf(res);
      const took = Date.now() - started;
      assert.ok(length >= 29_000, `length ${length}`);
      assert.equal(bytes.length, length);
      checkPng(bytes);
      assert.ok(took >= 1000, `took ${took} ms`);
      assert.ok(headersAfter < took / 2, `headers after ${headersAfter} of ${took} ms`);
      // at 10 bytes/s a paced thumbnail would take minutes
      s.configure({ imageBytesPerSecond: 10 });
      const thumb = await fetch(images[0].thumbnail_url, { signal: AbortSignal.timeout(3000) });
      checkPng(await bytesOf(thumb));
    });

    it('imageStallAfterBytes: sends exactly that many bytes, then nothing, with the full Content-Length', async () => {
      s.configure({ imageBytes: 30_000, imageStallAfterBytes: 5000 });
      const { images } = await succeededImages(base);
      const stalled = await rawGet(images[0].url, 400);
      assert.equal(stalled.status, 200);
      assert.equal(stalled.ended, false);
      assert.equal(stalled.body.length, 5000);
      const length = Number(stalled.headers['content-length']);
      assert.ok(length >= 29_000, `length ${length}`);
      const thumb = await rawGet(images[0].thumbnail_url, 2000);
      assert.equal(thumb.ended, true);
      checkPng(thumb.body);
      s.configure({ imageBytesPerSecond: 20_000, imageStallAfterBytes: 3000 });
      const trickled = await rawGet(images[0].url, 400);
      assert.deepEqual([trickled.body.length, trickled.ended], [3000, false]);
      s.configure({ imageBytesPerSecond: null, imageStallAfterBytes: 0 });
      const headOnly = await rawGet(images[0].url, 300);
      assert.deepEqual([headOnly.status, headOnly.body.length, headOnly.ended], [200, 0, false]);
      s.configure({ imageStallAfterBytes: null });
      const full = await rawGet(images[0].url, 2000);
      assert.deepEqual([full.body.length, full.ended], [length, true]);
      assert.ok(stalled.body.equals(full.body.subarray(0, 5000)));
    });

    it('submitAnswerDelayMs: the task is created before the late answer; close() does not wait for it', async () => {
      s.configure({ submitAnswerDelayMs: 400 });
      let answered = false;
      const started = Date.now();
      const pending = submit(base, {}).then((answer) => {
        answered = true;
        return answer;
      });
      const record = await waitFor(() => s.acceptedSubmissions()[0]);
      assert.equal(answered, false);
      assert.equal(record.status, undefined);
      assert.equal(s.tasks().length, 1);
      assert.equal(record.taskCreated, s.tasks()[0].taskId);
      const env = asEnvelope(await pending);
      assert.ok(Date.now() - started >= 390, `answered after ${Date.now() - started} ms`);
      assert.equal(env.data?.task_id, record.taskCreated);
      assert.equal(s.submissions()[0].status, 200);

      const other = await startStandIn({ ...FAST, submitAnswerDelayMs: 5000 });
      try {
        const lost = submit(other.url, {});
        await waitFor(() => other.tasks()[0]);
        const closing = Date.now();
        await other.close();
        assert.ok(Date.now() - closing < 1000);
        await assert.rejects(lost, TypeError);
      } finally {
        await other.close();
      }
    });

    it('onRequest: received before processing, answered after the answer, until unsubscribed', async () => {
      const taskId = await submitTask(base);
      const seen: [string, string, number | undefined, number][] = [];
      const off = s.onRequest((record, phase) => seen.push([phase, record.endpoint, record.status, s.tasks()[0].polls]));
      await status(base, taskId);
      assert.deepEqual(seen, [
        ['received', 'status', undefined, 0],
        ['answered', 'status', 200, 1],
      ]);
      await call(base, '/__standin/tasks'); // control calls are not logged, so not reported
      assert.equal(seen.length, 2);
      off();
      await status(base, taskId);
      assert.equal(seen.length, 2);
      // a reset is reported as answered, without a status
      const phases: [string, string | undefined, number | undefined][] = [];
      const off2 = s.onRequest((record, phase) => phases.push([phase, record.fault, record.status]));
      s.configure({ faults: [{ endpoint: 'status', kind: 'reset', times: 1 }] });
      await assert.rejects(status(base, taskId), TypeError);
      off2();
      assert.deepEqual(phases, [
        ['received', undefined, undefined],
        ['answered', 'reset', undefined],
      ]);
    });

    it('the control API sets the knobs, refuses bad values, and reset() restores the defaults', async () => {
      const knobs = {
        extraImages: 2,
        urlPadding: 10,
        imageRedirects: 3,
        imageRedirectTarget: 'file:///etc/passwd',
        imageBytesPerSecond: 1000,
        imageStallAfterBytes: 0,
        submitAnswerDelayMs: 50,
        faults: [{ endpoint: 'redirect', kind: 'http503' }],
      };
      const set = await call(base, '/__standin/config', post(knobs, {}));
      assert.equal(set.status, 200, set.text);
      const { faults, ...rest } = knobs;
      assert.deepEqual(Object.fromEntries(Object.keys(rest).map((k) => [k, s.config()[k as keyof StandInConfig]])), rest);
      assert.deepEqual(s.config().faults, faults);
      const bad: Record<string, unknown>[] = [
        { extraImages: -1 },
        { extraImages: 1.5 },
        { urlPadding: 2_000_000 },
        { imageRedirects: '3' },
        { imageRedirectTarget: 'http://a/\r\nSet-Cookie: x=1' },
        { imageRedirectTarget: '' },
        { imageBytesPerSecond: 0 },
        { imageStallAfterBytes: -1 },
        { submitAnswerDelayMs: -5 },
      ];
      for (const patch of bad) {
        const answer = await call(base, '/__standin/config', post(patch, {}));
        assert.equal(answer.status, 400, JSON.stringify(patch));
      }
      s.reset();
      const config = s.config();
      assert.deepEqual(
        [config.extraImages, config.urlPadding, config.imageRedirects, config.imageRedirectTarget, config.imageBytesPerSecond, config.imageStallAfterBytes, config.submitAnswerDelayMs],
        [0, 0, 0, null, null, null, 0],
      );
    });
  });

  describe('close()', () => {
    it('ends hanging requests and keep-alive connections', async () => {
      const other = await startStandIn({ faults: [{ endpoint: 'status', kind: 'hang' }] });
      assert.equal((await call(other.url, CAPS_PATH, { headers: AUTH })).status, 200); // a kept-alive socket
      const hanging = fetch(`${other.url}${STATUS_PATH}?task_id=x&task_type=image_generation`, { headers: AUTH });
      await waitFor(() => (other.requests().length === 2 ? true : undefined));
      const started = Date.now();
      await other.close();
      assert.ok(Date.now() - started < 1000);
      await assert.rejects(hanging, TypeError);
      await other.close(); // twice is fine
    });

    it('ends a trickling image promptly and leaves no timer running', async () => {
      const other = await startStandIn({ ...FAST, imageBytes: 30_000, imageBytesPerSecond: 20_000 });
      try {
        const { images } = await succeededImages(other.url);
        const before = liveTimers();
        const res = await fetch(images[0].url);
        assert.equal(res.status, 200);
        const body = res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 250));
        assert.ok(liveTimers() > before, 'the trickle runs on a timer');
        const started = Date.now();
        await other.close();
        assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
        await assert.rejects(body);
        assert.ok(liveTimers() <= before, `${liveTimers()} timers, ${before} before`);
      } finally {
        await other.close();
      }
    });
  });
});

describe('PNG encoder', () => {
  it('computes the standard CRC-32', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });

  it('makes valid gradients that differ by seed', () => {
    const a = gradientPng(64, 32, 1);
    const b = gradientPng(64, 32, 2);
    assert.deepEqual(checkPng(a), { width: 64, height: 32 });
    assert.ok(!a.equals(b));
    assert.ok(a.equals(gradientPng(64, 32, 1)));
  });

  it('makes noise images of roughly N bytes and caches them by key', () => {
    for (const n of [5_000, 100_000, 1_000_000]) {
      const png = noisePng(n);
      assert.ok(Math.abs(png.length - n) / n < 0.01, `${n}: ${png.length}`);
      checkPng(png);
    }
    assert.equal(cachedNoisePng(50_000), cachedNoisePng(50_000));
  });
});

describe('stand-in CLI', () => {
  const mainJs = join(__dirname, '..', 'standin', 'main.js');

  it('prints STANDIN_URL once listening and stops on SIGTERM', async function () {
    if (!existsSync(mainJs)) this.skip();
    const child = spawn(process.execPath, [mainJs, '--port', '0', '--key', 'ok_cli', '--task-ms', '100', '--queued-ms', '10'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await waitFor(() => /^STANDIN_URL=(http:\/\/127\.0\.0\.1:\d+)\n$/.exec(stdout)?.[1]);
      assert.equal((await call(url, CAPS_PATH, { headers: { authorization: 'Bearer ok_cli' } })).status, 200);
      const env = asEnvelope(await submit(url, {}, { 'content-type': 'application/json', authorization: 'Bearer ok_cli' }));
      const tasks = (await call(url, '/__standin/tasks')).json as TaskSnapshot[];
      assert.equal(tasks[0].taskId, env.data?.task_id);
      assert.equal(tasks[0].taskMs, 100);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.equal(stdout.split('\n').filter((l) => l !== '').length, 1);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses unknown arguments', async function () {
    if (!existsSync(mainJs)) this.skip();
    const child = spawn(process.execPath, [mainJs, '--bogus'], { stdio: 'ignore' });
    assert.equal(await new Promise<number | null>((resolve) => child.on('exit', resolve)), 2);
  });
});
