import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreatOkClient } from '../../../src/core/api/client';
import { guessUseCase, recommendModel, FALLBACK_CATALOG } from '../../../src/core/models';
import { inspectReference, ReferenceUploadError, uploadReferences, type ReferenceFile } from '../../../src/core/references';
import { gradientPng } from '../../standin/png';
import { startStandIn, type StandIn } from '../../standin/server';

const KEY = 'ok_reference_test_key';

describe('reference images', () => {
  let dir: string;
  let standIn: StandIn;
  let client: CreatOkClient;
  const png = gradientPng(32, 32, 3);
  before(async () => (standIn = await startStandIn({ apiKey: KEY })));
  after(async () => standIn.close());
  beforeEach(() => {
    standIn.reset();
    dir = mkdtempSync(join(tmpdir(), 'creatok-ref-'));
    client = new CreatOkClient({ baseUrl: standIn.url, apiKey: () => KEY, readRetry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function reference(name: string, bytes: Buffer): Promise<ReferenceFile> {
    writeFileSync(join(dir, name), bytes);
    const check = await inspectReference(join(dir, name));
    assert.ok(check.ok, JSON.stringify(check));
    return check.reference;
  }

  it('takes the real type from the first bytes, not the name', async () => {
    const r = await reference('photo.jpg', png);
    assert.equal(r.type, 'png');
    assert.equal(r.mime, 'image/png');
    writeFileSync(join(dir, 'notes.png'), 'just some text, renamed');
    assert.deepEqual(await inspectReference(join(dir, 'notes.png')), { ok: false, file: join(dir, 'notes.png'), name: 'notes.png', problem: 'notAnImage' });
  });

  it('refuses a file over the size cap, an empty one, and one that is gone', async () => {
    writeFileSync(join(dir, 'big.png'), Buffer.concat([png, Buffer.alloc(2000)]));
    assert.equal((await inspectReference(join(dir, 'big.png'), 1000)).ok, false);
    assert.deepEqual(await inspectReference(join(dir, 'big.png'), 1000), { ok: false, file: join(dir, 'big.png'), name: 'big.png', problem: 'tooLarge' });
    writeFileSync(join(dir, 'empty.png'), '');
    assert.equal((await inspectReference(join(dir, 'empty.png'))).ok, false);
    const gone = await inspectReference(join(dir, 'gone.png'));
    assert.ok(!gone.ok && gone.problem === 'missing');
  });

  it('uploads the same bytes, streamed, with the right type and without the key', async () => {
    const a = await reference('a.png', png);
    const uploaded = await uploadReferences(client, [a]);
    assert.equal(uploaded.length, 1);
    const stored = standIn.uploads().find((u) => u.objectKey === uploaded[0]!.objectKey)!;
    assert.equal(stored.sha256, createHash('sha256').update(png).digest('hex'));
    assert.equal(stored.contentType, 'image/png');
    const put = standIn.requests().find((r) => r.endpoint === 'upload')!;
    assert.equal(put.authorized, false);
  });

  it('names the image whose upload failed, and stops there', async () => {
    const a = await reference('a.png', png);
    const b = await reference('b.png', png);
    standIn.configure({ faults: [{ endpoint: 'upload', kind: 'http500', times: 1 }] });
    await assert.rejects(uploadReferences(client, [a, b]), (e: ReferenceUploadError) => e.reference.name === 'a.png' && e.reason === 'upload');
    assert.equal(standIn.requests().filter((r) => r.endpoint === 'presign').length, 1, 'b.png was never started');
  });

  it('notices a file deleted after it was added', async () => {
    const a = await reference('a.png', png);
    rmSync(a.file);
    await assert.rejects(uploadReferences(client, [a]), (e: ReferenceUploadError) => e.reference.name === 'a.png' && e.reason === 'missing');
    assert.equal(standIn.requests().length, 0);
  });

  it('reads "in the style of" with a reference as style transfer, never overriding other guesses without one', () => {
    assert.equal(guessUseCase('a cat in the style of this painting', { hasReferences: true }), 'styleTransfer');
    assert.equal(guessUseCase('参考这张图的风格画一只猫', { hasReferences: true }), 'styleTransfer');
    assert.equal(guessUseCase('a cat in the style of Monet'), 'general');
    assert.equal(guessUseCase('product shot of this bottle', { hasReferences: false }), 'product');
    assert.equal(recommendModel(FALLBACK_CATALOG, 'styleTransfer').modelId, 'nano-banana-2');
  });
});
