import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadImage, DownloadError, removePartFiles, sniffImageType } from '../../../src/core/download';
import { gradientPng } from '../../standin/png';

const png = gradientPng(64, 64, 7);

describe('image downloader', () => {
  let server: Server;
  let base: string;
  let dir: string;
  const routes = new Map<string, (res: ServerResponse) => void>();
  let seenAuthorization: string | undefined;
  let seenAcceptEncoding: string | undefined;

  before(async () => {
    server = createServer((req, res) => {
      seenAuthorization = req.headers.authorization;
      seenAcceptEncoding = req.headers['accept-encoding'];
      const handler = routes.get(req.url ?? '');
      if (handler) handler(res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    routes.set('/ok.png?sig=a%2Fb', (res) => res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length }).end(png));
    routes.set('/500', (res) => res.writeHead(500).end('oops'));
    // A server that compresses although asked not to: Content-Length counts the gzip bytes.
    const gz = gzipSync(png);
    routes.set('/gzip.png', (res) => res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Encoding': 'gzip', 'Content-Length': gz.length }).end(gz));
    routes.set('/html', (res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html></html>'));
    routes.set('/big', (res) => res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': 5000 }).end(Buffer.alloc(5000)));
    routes.set('/big-chunked', (res) => {
      res.writeHead(200, { 'Content-Type': 'image/png' });
      res.write(png);
      res.end(Buffer.alloc(5000));
    });
    routes.set('/truncated', (res) => {
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length + 100 });
      res.write(png);
      setTimeout(() => res.destroy(), 20);
    });
    routes.set('/text-as-png', (res) => res.writeHead(200, { 'Content-Type': 'image/png' }).end('hello, I am text'));
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'creatok-dl-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function refused(path: string, maxBytes?: number): Promise<DownloadError> {
    try {
      await downloadImage(base + path, dir, 'image_1', { maxBytes });
    } catch (e) {
      assert.ok(e instanceof DownloadError, String(e));
      assert.deepEqual(readdirSync(dir), [], 'nothing is left behind');
      return e;
    }
    assert.fail('expected a refusal');
  }

  it('streams a good image to <name>.<type>, with our name and no Authorization header', async () => {
    const result = await downloadImage(`${base}/ok.png?sig=a%2Fb`, dir, 'image_1');
    assert.equal(result.file, join(dir, 'image_1.png'));
    assert.equal(result.type, 'png');
    assert.deepEqual(readFileSync(result.file), png);
    assert.equal(seenAuthorization, undefined);
    assert.deepEqual(readdirSync(dir), ['image_1.png']);
  });

  it('asks for identity encoding, and takes a gzip-encoded image whole (decoded size is not compared with the compressed length)', async () => {
    const saved = await downloadImage(`${base}/gzip.png`, dir, 'image_1');
    assert.equal(seenAcceptEncoding, 'identity');
    assert.equal(saved.bytes, png.length);
    assert.deepEqual(readFileSync(saved.file), png);
  });
  it('fetches only https: links (or http: on this machine)', async () => {
    for (const url of ['command:workbench.action.quit', 'file:///etc/passwd', 'http://example.com/a.png', 'javascript:alert(1)']) {
      await assert.rejects(downloadImage(url, dir, 'image_1'), (e: DownloadError) => e.reason === 'refused', url);
    }
  });
  it("removes the .part files an interrupted download left: a dead writer's at once, a live one's after a minute", async () => {
    // A pid that names no live process here (pids never reach 2^22 on Linux).
    writeFileSync(join(dir, '.image_1.4194303.abcd0123.part'), 'half of a killed download');
    writeFileSync(join(dir, `.image_2.${process.pid}.abcd0123.part`), 'a live download');
    writeFileSync(join(dir, 'keep.png'), 'x');
    writeFileSync(join(dir, '.not-ours.part'), 'x');
    assert.equal(await removePartFiles(dir), 1);
    assert.deepEqual(readdirSync(dir).sort(), [`.image_2.${process.pid}.abcd0123.part`, '.not-ours.part', 'keep.png']);
    assert.equal(await removePartFiles(dir, { olderThanMs: -1 }), 1, "a live writer's file once it is old");
    assert.deepEqual(readdirSync(dir).sort(), ['.not-ours.part', 'keep.png']);
  });
  it('refuses a bad status', async () => assert.equal((await refused('/500')).reason, 'status'));
  it('refuses a wrong content type', async () => assert.equal((await refused('/html')).reason, 'contentType'));
  it('refuses an oversize image by its Content-Length', async () => assert.equal((await refused('/big', 1000)).reason, 'tooLarge'));
  it('refuses an oversize image while streaming, without a Content-Length', async () => assert.equal((await refused('/big-chunked', 1000)).reason, 'tooLarge'));
  it('refuses a truncated body', async () => assert.equal((await refused('/truncated')).reason, 'truncated'));
  it('refuses bytes that are not an image, whatever the content type says', async () => assert.equal((await refused('/text-as-png')).reason, 'notAnImage'));
  it('refuses a file name that is not ours', async () => {
    await assert.rejects(downloadImage(`${base}/ok.png?sig=a%2Fb`, dir, '../evil'));
  });

  it('knows the magic bytes of PNG, JPEG, GIF and WebP', () => {
    assert.equal(sniffImageType(png), 'png');
    assert.equal(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'jpeg');
    assert.equal(sniffImageType(Buffer.from('GIF89a')), 'gif');
    assert.equal(sniffImageType(Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1')), 'webp');
    assert.equal(sniffImageType(Buffer.from('%PDF-1.7')), undefined);
  });
});
