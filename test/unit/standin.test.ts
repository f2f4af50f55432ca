/**
 * The CreatOK stand-in over real HTTP (Node's global fetch): endpoints, auth, validation,
 * faults, the request log, the task lifecycle, the control API, the PNG encoder and the CLI.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
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
