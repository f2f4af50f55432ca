// What may leave the machine or be opened: only `https:` addresses, and plain `http:` to this
// machine (the local stand-in). Every URL a record holds, a link the extension writes, an image it
// downloads, and the base URL the API key goes to passes here first.

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export type UrlProblem = 'invalid' | 'scheme' | 'plainHttp' | 'credentials';
export type UrlCheck = { ok: true; url: URL } | { ok: false; problem: UrlProblem };

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/** `https:` anywhere, `http:` only to 127.0.0.1, localhost or ::1. */
export function checkUrl(value: string): UrlCheck {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, problem: 'invalid' };
  }
  if (url.protocol === 'https:') return { ok: true, url };
  if (url.protocol === 'http:') return isLoopbackHost(url.hostname) ? { ok: true, url } : { ok: false, problem: 'plainHttp' };
  return { ok: false, problem: 'scheme' };
}

/** Whether `value` may be shown as a link, opened, downloaded or written as a link. */
export function isAllowedUrl(value: string): boolean {
  return checkUrl(value).ok;
}

/** The base URL the API key is sent to: an allowed URL without user:password. */
export function checkBaseUrl(value: string): UrlCheck {
  const checked = checkUrl(value.trim());
  if (checked.ok && (checked.url.username || checked.url.password)) return { ok: false, problem: 'credentials' };
  return checked;
}

/** Printable ASCII only, no spaces: what an HTTP header value can carry unchanged. */
export function isHeaderSafe(value: string): boolean {
  return /^[\x21-\x7e]+$/.test(value);
}
