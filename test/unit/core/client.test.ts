// The client against the project's CreatOK stand-in over real HTTP, faults included.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CreatOkClient } from '../../../src/core/api/client';
import { CreatOkError } from '../../../src/core/api/errors';
import type { Logger } from '../../../src/core/log';
import { startStandIn, type StandIn } from '../../standin/server';

const KEY = 'ok_unit_test_key_123';
const fastRetry = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 };

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, trace: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

async function rejection(promise: Promise<unknown>): Promise<CreatOkError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof CreatOkError, `expected a CreatOkError, got ${e}`);
    return e;
  }
  assert.fail('expected a rejection');
}

describe('CreatOK client against the stand-in', () => {
  let standIn: StandIn;
  let logger: ReturnType<typeof memoryLogger>;
  let client: CreatOkClient;
  before(async () => (standIn = await startStandIn({ apiKey: KEY, queuedMs: 20, taskMs: 60 })));
  after(async () => standIn.close());
  beforeEach(() => {
    standIn.reset();
    logger = memoryLogger();
    client = new CreatOkClient({ baseUrl: standIn.url, apiKey: () => KEY, logger, readRetry: fastRetry, timeoutMs: 2000 });
  });

  it('runs the four endpoints: capabilities, upload, submit, status', async () => {
    const { image } = await client.getCapabilities();
    assert.equal(image.default_model, 'nano-banana-2');
    const bytes = Buffer.from('\x89PNG\r\n\x1a\n fake but typed');
    const presigned = await client.requestUpload({ fileName: 'cat.png', fileType: 'image/png', fileSize: bytes.length });
    await client.uploadBytes(presigned.presignedUploadUrl, bytes, 'image/png', bytes.length);
    const upload = standIn.uploads()[0]!;
    assert.equal(upload.sha256, createHash('sha256').update(bytes).digest('hex'));
    const submitted = await client.submit(
      { prompt: 'a cat', model: 'nano-banana-2', resolution: '2K', n: 2, aspect_ratio: '1:1', imageObjectKeys: [presigned.objectKey] },
      { idempotencyKey: 'run-1' },
    );
    assert.equal(standIn.acceptedSubmissions().length, 1);
    let status;
    for (let i = 0; i < 100; i++) {
      status = (await client.getTaskStatus(submitted.taskId)).status;
      if (status.status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(status?.status, 'succeeded');
    assert.equal(status?.result?.images?.length, 2);
  });

  it('sends the key only to CreatOK: the storage PUT carries no Authorization header', async () => {
    const presigned = await client.requestUpload({ fileName: 'a.png', fileType: 'image/png', fileSize: 3 });
    await client.uploadBytes(presigned.presignedUploadUrl, Buffer.from('abc'), 'image/png', 3);
    const put = standIn.requests().find((r) => r.endpoint === 'upload')!;
    assert.equal(put.authorized, false);
    assert.ok(!('authorization' in put.headers));
  });

  it('never logs the key', async () => {
    standIn.configure({ faults: [{ endpoint: 'status', kind: 'http500', times: 1 }] });
    await rejection(client.getTaskStatus('task_unknown'));
    assert.ok(logger.lines.length > 0);
    assert.ok(!logger.lines.join('\n').includes(KEY));
  });

  it('says unauthorized for a wrong key, without retrying', async () => {
    const bad = new CreatOkClient({ baseUrl: standIn.url, apiKey: () => 'ok_wrong', readRetry: fastRetry });
    assert.equal((await rejection(bad.getCapabilities())).kind, 'unauthorized');
    assert.equal(standIn.requests().length, 1);
  });

  it('says unauthorized without calling when there is no key', async () => {
    const none = new CreatOkClient({ baseUrl: standIn.url, apiKey: () => undefined });
    assert.equal((await rejection(none.getCapabilities())).kind, 'unauthorized');
    assert.equal(standIn.requests().length, 0);
  });

  for (const kind of ['http500', 'html502', 'http503', 'http429', 'malformedJson', 'apiError', 'reset'] as const) {
    it(`retries a read after ${kind}`, async () => {
      standIn.configure({ faults: [{ endpoint: 'capabilities', kind, times: 2, retryAfter: '0' }] });
      const { image } = await client.getCapabilities();
      assert.ok(image.models.length > 0);
      assert.equal(standIn.requests().filter((r) => r.endpoint === 'capabilities').length, 3);
    });
  }

  it('times a hanging read out, then retries it', async () => {
    const quick = new CreatOkClient({ baseUrl: standIn.url, apiKey: () => KEY, readRetry: fastRetry, timeoutMs: 200 });
    standIn.configure({ faults: [{ endpoint: 'capabilities', kind: 'hang', times: 1 }] });
    const { image } = await quick.getCapabilities();
    assert.ok(image.models.length > 0);
  });

  it('gives up on a read after maxAttempts with the last error', async () => {
    standIn.configure({ faults: [{ endpoint: 'capabilities', kind: 'http500' }] });
    assert.equal((await rejection(client.getCapabilities())).kind, 'server');
    assert.equal(standIn.requests().length, fastRetry.maxAttempts);
  });

  it('never repeats the paid submit, whatever the failure', async () => {
    for (const kind of ['http500', 'html502', 'http503', 'malformedJson', 'apiError'] as const) {
      standIn.reset();
      standIn.configure({ faults: [{ endpoint: 'submit', kind, times: 1 }] });
      await rejection(client.submit({ prompt: 'x', model: 'nano-banana-2', resolution: '2K', n: 1 }));
      assert.equal(standIn.submissions().length, 1, `${kind}: one submission`);
    }
  });

  it('marks a submit whose connection dropped after sending as "may have reached the server"', async () => {
    standIn.configure({ faults: [{ endpoint: 'submit', kind: 'reset', afterBody: true, times: 1 }] });
    const e = await rejection(client.submit({ prompt: 'x', model: 'nano-banana-2', resolution: '2K', n: 1 }, { idempotencyKey: 'run-x' }));
    assert.equal(e.kind, 'network');
    assert.equal(e.details.mayHaveReachedServer, true);
    assert.equal(standIn.submissions().length, 1);
    assert.equal(standIn.tasks().length, 1, 'the stand-in did create the task');
  });

  it('marks a submit to a closed port as never sent', async () => {
    const closed = new CreatOkClient({ baseUrl: 'http://127.0.0.1:9', apiKey: () => KEY });
    const e = await rejection(closed.submit({ prompt: 'x', model: 'nano-banana-2', resolution: '2K', n: 1 }));
    assert.equal(e.kind, 'network');
    assert.equal(e.details.mayHaveReachedServer, false);
  });

  it('reports a refused submission as an API error with the server message', async () => {
    const e = await rejection(client.submit({ prompt: 'x', model: 'nano-banana-2', resolution: '8K', n: 1 }));
    assert.equal(e.kind, 'apiError');
    assert.ok(e.details.apiMessage && e.details.apiMessage.length > 0);
  });

  it('says not found for an unknown task', async () => {
    assert.equal((await rejection(client.getTaskStatus('task_nope'))).kind, 'notFound');
  });

  it('stops at once when cancelled', async () => {
    standIn.configure({ faults: [{ endpoint: 'capabilities', kind: 'hang' }] });
    const controller = new AbortController();
    const pending = client.getCapabilities({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const e = await rejection(pending);
    assert.equal(e.kind, 'cancelled');
  });
});
