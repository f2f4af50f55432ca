/**
 * The storage side: presigned reference-image uploads (an S3-like host that refuses what
 * S3 refuses) and signed, expiring URLs of generated images.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { UploadRecord } from './types';
import { emptyReply, xmlError, type Reply } from './http';

export const UPLOAD_PATH = '/__storage/upload/';
export const FILES_PATH = '/__files/';
/** `/__redirect/<hops left>/<task_id>/<file>?<signed query>` */
export const REDIRECT_PATH = '/__redirect/';
export const DEFAULT_PREFIX = 'open-skills/reference-images';

interface Presigned {
  objectKey: string;
  contentType: string;
  fileSize: number;
  signature: string;
}

function sanitiseFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(-100);
  return clean.length > 0 ? clean : 'file';
}

function sanitisePrefix(prefix: string | undefined): string {
  const segments = (prefix ?? '')
    .split('/')
    .map((s) => s.replace(/[^A-Za-z0-9._-]+/g, '_'))
    .filter((s) => s.length > 0 && s !== '.' && s !== '..');
  return segments.length > 0 ? segments.join('/') : DEFAULT_PREFIX;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class UploadStore {
  private readonly presigned = new Map<string, Presigned>();
  private readonly stored = new Map<string, UploadRecord>();

  presign(
    baseUrl: string,
    file: { fileName: string; fileType: string; fileSize: number; prefix?: string },
  ): { presignedUploadUrl: string; objectKey: string } {
    const objectKey = `${sanitisePrefix(file.prefix)}/${randomUUID()}-${sanitiseFileName(file.fileName)}`;
    const signature = randomBytes(16).toString('hex');
    this.presigned.set(objectKey, { objectKey, contentType: file.fileType, fileSize: file.fileSize, signature });
    return { presignedUploadUrl: `${baseUrl}${UPLOAD_PATH}${objectKey}?X-Sig=${signature}`, objectKey };
  }

  /** Handles `PUT /__storage/upload/<objectKey>?X-Sig=...`. */
  put(objectKey: string, query: URLSearchParams, headers: IncomingHttpHeaders, body: Buffer): Reply {
    if (headers.authorization !== undefined) {
      return xmlError(
        400,
        'InvalidArgument',
        'Only one auth mechanism allowed; only the X-Sig query parameter or the Authorization header should be specified',
      );
    }
    const entry = this.presigned.get(objectKey);
    const signature = query.get('X-Sig') ?? '';
    if (!entry || !sameText(signature, entry.signature)) {
      return xmlError(400, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    const contentType = (headers['content-type'] ?? '').trim().toLowerCase();
    if (contentType !== entry.contentType.toLowerCase()) {
      return xmlError(400, 'SignatureDoesNotMatch', `Content-Type "${contentType}" does not match the presigned "${entry.contentType}".`);
    }
    if (body.length !== entry.fileSize) {
      return xmlError(400, 'InvalidRequest', `Body is ${body.length} bytes; the presigned size is ${entry.fileSize}.`);
    }
    this.stored.set(objectKey, {
      objectKey,
      sha256: createHash('sha256').update(body).digest('hex'),
      size: body.length,
      contentType: entry.contentType,
      at: Date.now(),
    });
    return emptyReply(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
  }

  isUploaded(objectKey: string): boolean {
    return this.stored.has(objectKey);
  }

  uploads(): UploadRecord[] {
    return [...this.stored.values()].map((u) => ({ ...u }));
  }

  clear(): void {
    this.presigned.clear();
    this.stored.clear();
  }
}

/**
 * Signs and checks `/__files/...` URLs: `?X-Expires=<unix s>&X-Signature=<hmac>`, with
 * `X-Padding=aaa…` before the signature when padded (the padding is signed too).
 */
export class UrlSigner {
  private readonly secret = randomBytes(32);

  private mac(path: string, expires: string, padding: string): string {
    return createHmac('sha256', this.secret).update(`${path}\n${expires}\n${padding}`).digest('hex');
  }

  /** The query string (no `?`) that signs `path`. */
  signQuery(path: string, expiresAtSeconds: number, padding = ''): string {
    const expires = String(Math.floor(expiresAtSeconds));
    const pad = padding === '' ? '' : `&X-Padding=${padding}`;
    return `X-Expires=${expires}${pad}&X-Signature=${this.mac(path, expires, padding)}`;
  }

  sign(baseUrl: string, path: string, expiresAtSeconds: number, padding = ''): string {
    return `${baseUrl}${path}?${this.signQuery(path, expiresAtSeconds, padding)}`;
  }

  /** 'ok', or why the URL is refused. */
  check(path: string, query: URLSearchParams, now = Date.now()): 'ok' | 'bad-signature' | 'expired' {
    const expires = query.get('X-Expires') ?? '';
    const signature = query.get('X-Signature') ?? '';
    const padding = query.get('X-Padding') ?? '';
    if (!/^\d+$/.test(expires) || !sameText(signature, this.mac(path, expires, padding))) return 'bad-signature';
    return Number(expires) * 1000 < now ? 'expired' : 'ok';
  }
}
