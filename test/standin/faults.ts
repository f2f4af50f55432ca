/**
 * Fault injection: which rule hits a request (counted, seeded-random) and what it answers.
 */
import type { Endpoint, FaultRule } from './types';
import { envelope, type Reply } from './http';

/** mulberry32: a small seeded PRNG so fault probabilities are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultBook {
  private rules: FaultRule[] = [];
  private random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** Replaces the rules (copied; `times` counts down in the copies). */
  setRules(rules: readonly FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r }));
  }

  /** The live rules, `times` being what is left. */
  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /** The rule that hits a request to `endpoint`, consuming one of its `times`; first match wins. */
  take(endpoint: Endpoint): FaultRule | undefined {
    if (endpoint === 'unknown') return undefined;
    for (const rule of this.rules) {
      if (rule.endpoint !== endpoint && rule.endpoint !== 'any') continue;
      if (rule.kind === 'taskFailed' && endpoint !== 'submit') continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      if (rule.times !== undefined) {
        rule.times -= 1;
        if (rule.times <= 0) this.rules = this.rules.filter((r) => r !== rule);
      }
      return { ...rule };
    }
    return undefined;
  }
}

export type FaultAction = { type: 'reply'; reply: Reply } | { type: 'hang' } | { type: 'reset' };

const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
  '<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

function withRetryAfter(reply: Reply, rule: FaultRule): Reply {
  if (rule.retryAfter !== undefined) reply.headers['retry-after'] = rule.retryAfter;
  return reply;
}

/** A prefix of a JSON document that does not parse. */
function truncatedJson(original: Reply | undefined): Buffer {
  const isJson = original?.headers['content-type']?.includes('json') === true && original.body.length > 2;
  const full = isJson && original ? original.body : Buffer.from('{"code":0,"message":"success","data":{"task_id":"task_');
  return full.subarray(0, Math.max(1, Math.floor(full.length / 2)));
}

/**
 * What a response fault answers. `original` is the real answer when the request was
 * processed first (`afterBody`). Returns undefined for `taskFailed` (not a response fault).
 */
export function faultAction(rule: FaultRule, original?: Reply): FaultAction | undefined {
  switch (rule.kind) {
    case 'http500':
      return { type: 'reply', reply: envelope(500, 500, 'Internal Server Error') };
    case 'html502':
      return {
        type: 'reply',
        reply: {
          status: 502,
          headers: { 'content-type': 'text/html', server: 'nginx' },
          body: Buffer.from(NGINX_502),
        },
      };
    case 'http503':
      return { type: 'reply', reply: withRetryAfter(envelope(503, 503, 'Service temporarily unavailable'), rule) };
    case 'http429':
      return { type: 'reply', reply: withRetryAfter(envelope(429, 429, 'Too many requests'), rule) };
    case 'malformedJson':
      return {
        type: 'reply',
        reply: { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: truncatedJson(original) },
      };
    case 'apiError':
      return { type: 'reply', reply: envelope(200, 50001, 'Internal error, please retry') };
    case 'http401':
      return { type: 'reply', reply: envelope(401, 401, 'Invalid API key') };
    case 'hang':
      return { type: 'hang' };
    case 'reset':
      return { type: 'reset' };
    case 'taskFailed':
      return undefined;
  }
}
