/**
 * A tiny PNG encoder (8-bit RGB, no interlace): real, valid files for the stand-in to serve.
 */
import { deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** bytes of a PNG besides the zlib stream: signature, IHDR, IDAT framing, IEND */
const FRAME_BYTES = 8 + 25 + 12 + 12;

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as PNG uses it) of the concatenated buffers. */
export function crc32(...parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) c = CRC_TABLE[(c ^ part[i]) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(head.subarray(4), data), 0);
  return Buffer.concat([head, data, tail]);
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`invalid PNG size ${width}x${height}`);
  }
}

/** Encodes already filtered scanlines (each row: filter byte 0 + width*3 bytes). */
function encodeScanlines(width: number, height: number, raw: Uint8Array, level: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour (RGB)
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Encodes `rgb` (width*height*3 bytes, row-major) as a PNG. */
export function encodePng(width: number, height: number, rgb: Uint8Array, level = 6): Buffer {
  checkSize(width, height);
  const stride = width * 3;
  if (rgb.length !== stride * height) throw new RangeError('pixel buffer does not match the size');
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return encodeScanlines(width, height, raw, level);
}

/** FNV-1a hash of a string: a handy seed. */
export function seedFromString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A diagonal colour gradient whose colours depend on `seed` (different seeds, different images). */
export function gradientPng(width: number, height: number, seed: number): Buffer {
  checkSize(width, height);
  const s = seed >>> 0;
  const base = [s & 0xff, (s >>> 8) & 0xff, (s >>> 16) & 0xff];
  const tilt = 1 + ((s >>> 24) % 3);
  const rgb = new Uint8Array(width * height * 3);
  let i = 0;
  for (let y = 0; y < height; y++) {
    const fy = Math.floor((y * 255) / Math.max(1, height - 1));
    for (let x = 0; x < width; x++) {
      const fx = Math.floor((x * 255) / Math.max(1, width - 1));
      rgb[i++] = (base[0] + fx) & 0xff;
      rgb[i++] = (base[1] + fy) & 0xff;
      rgb[i++] = (base[2] + ((fx + fy * tilt) >> 1)) & 0xff;
    }
  }
  return encodePng(width, height, rgb);
}

/**
 * A PNG of roughly `approxBytes` bytes (within a few kB above 64 kB): random noise stored
 * without compression, so the size is predictable and the bytes do not compress in transit.
 */
export function noisePng(approxBytes: number, seed = 1): Buffer {
  const target = Math.max(FRAME_BYTES + 64, Math.floor(approxBytes));
  const payload = target - FRAME_BYTES - 6; // zlib header and adler32
  const width = Math.max(1, Math.min(1024, Math.floor(Math.sqrt(payload / 3))));
  const rowBytes = width * 3 + 1;
  // stored deflate blocks cost 5 bytes per 65535 bytes of data
  const height = Math.max(1, Math.round(payload / (rowBytes * (1 + 5 / 65535))));
  const rawLength = rowBytes * height;
  const words = new Uint32Array(Math.ceil(rawLength / 4));
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  const raw = new Uint8Array(words.buffer, 0, rawLength);
  for (let y = 0; y < height; y++) raw[y * rowBytes] = 0;
  return encodeScanlines(width, height, raw, 0);
}

/** Generated images, kept in memory by key (oldest dropped past `PNG_CACHE_LIMIT` bytes). */
const cache = new Map<string, Buffer>();
let cachedBytes = 0;
export const PNG_CACHE_LIMIT = 256 * 1024 * 1024;

/** Returns the cached image for `key`, or makes, caches and returns it. */
export function cachedPng(key: string, make: () => Buffer): Buffer {
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const png = make();
  cache.set(key, png);
  cachedBytes += png.length;
  for (const [oldKey, old] of cache) {
    if (cachedBytes <= PNG_CACHE_LIMIT || oldKey === key) break;
    cache.delete(oldKey);
    cachedBytes -= old.length;
  }
  return png;
}

export function clearPngCache(): void {
  cache.clear();
  cachedBytes = 0;
}

/** The gradient image for `key` (cached). */
export function cachedGradientPng(key: string, width: number, height: number): Buffer {
  return cachedPng(`gradient:${width}x${height}:${key}`, () => gradientPng(width, height, seedFromString(key)));
}

/** A noise image of roughly `approxBytes` bytes (cached by size and variant). */
export function cachedNoisePng(approxBytes: number, variant = 0): Buffer {
  const bytes = Math.floor(approxBytes);
  return cachedPng(`noise:${bytes}:${variant}`, () => noisePng(bytes, variant + 1));
}
