import assert from 'node:assert/strict';
import { parseAnswer } from '../../../src/core/api/http';
import { CreatOkError } from '../../../src/core/api/errors';
import { capabilitiesDataSchema, submitDataSchema, taskStatusDataSchema, presignedUploadDataSchema } from '../../../src/core/api/schemas';

function headers(h: Record<string, string> = {}): { get(name: string): string | null } {
  const lower = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
  return { get: (name) => lower[name.toLowerCase()] ?? null };
}

function fails(fn: () => unknown): CreatOkError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CreatOkError, `expected a CreatOkError, got ${e}`);
    return e;
  }
  assert.fail('expected a failure');
}

const capabilities = {
  code: 0,
  message: 'ok',
  data: {
    capabilities: {
      image: {
        default_model: 'nano-banana-2',
        models: [
          {
            id: 'nano-banana-pro',
            label: 'Nano Banana Pro',
            defaults: { resolution: '2K', n: 1 },
            limits: { resolutions: ['1K', '2K', '4K'], n: { min: 1, max: 4 }, aspect_ratios: ['1:1', '16:9', '9:16'], max_reference_images: 5 },
            pricing: { currency: 'credits', unit: 'image', by_resolution: { '1K': 1, '2K': 2, '4K': 3 } },
          },
        ],
      },
    },
  },
};

describe('API contract parsing', () => {
  it('reads the capabilities example of the contract', () => {
    const answer = parseAnswer({ status: 200, headers: headers() }, JSON.stringify(capabilities), capabilitiesDataSchema);
    const model = answer.data.capabilities.image.models[0]!;
    assert.equal(model.id, 'nano-banana-pro');
    assert.deepEqual(model.pricing?.by_resolution, { '1K': 1, '2K': 2, '4K': 3 });
    assert.deepEqual(answer.raw, capabilities);
  });

  it('accepts a model without aspect ratios or pricing, and unknown fields', () => {
    const model = { id: 'm', limits: { resolutions: ['2K'], n: { min: 1, max: 2 } }, extra: { anything: true } };
    const body = { code: 0, data: { capabilities: { image: { models: [model] } } } };
    const answer = parseAnswer({ status: 200, headers: headers() }, JSON.stringify(body), capabilitiesDataSchema);
    assert.equal(answer.data.capabilities.image.models[0]!.pricing, undefined);
  });

  it('refuses capabilities without models, or with n.min above n.max', () => {
    const empty = { code: 0, data: { capabilities: { image: { models: [] } } } };
    assert.equal(fails(() => parseAnswer({ status: 200, headers: headers() }, JSON.stringify(empty), capabilitiesDataSchema)).kind, 'invalidAnswer');
    const bad = { code: 0, data: { capabilities: { image: { models: [{ id: 'm', limits: { resolutions: ['2K'], n: { min: 3, max: 1 } } }] } } } };
    assert.equal(fails(() => parseAnswer({ status: 200, headers: headers() }, JSON.stringify(bad), capabilitiesDataSchema)).kind, 'invalidAnswer');
  });

  it('reads a submit answer and a finished task status', () => {
    const submit = parseAnswer({ status: 200, headers: headers() }, '{"code":0,"message":"ok","data":{"task_id":"t1","status":"queued"}}', submitDataSchema);
    assert.equal(submit.data.task_id, 't1');
    const url = 'https://cdn.example/x.png?X-Amz-Signature=a%2Fb&Expires=1';
    const status = parseAnswer(
      { status: 200, headers: headers() },
      JSON.stringify({ code: 0, data: { task_id: 't1', status: 'succeeded', result: { images: [{ url, thumbnail_url: url }] } } }),
      taskStatusDataSchema,
    );
    assert.equal(status.data.result?.images?.[0]?.url, url, 'URLs are kept verbatim');
  });

  it('reads a presigned upload answer', () => {
    const body = { code: 0, data: { presignedUploadUrl: 'https://storage.example/put?sig=1', objectKey: 'open-skills/reference-images/a.png' } };
    assert.equal(parseAnswer({ status: 200, headers: headers() }, JSON.stringify(body), presignedUploadDataSchema).data.objectKey, 'open-skills/reference-images/a.png');
  });

  it('treats a non-zero code in an HTTP 200 answer as an API error with its code and message', () => {
    const e = fails(() => parseAnswer({ status: 200, headers: headers() }, '{"code":40001,"message":"model not supported"}', submitDataSchema));
    assert.equal(e.kind, 'apiError');
    assert.equal(e.details.code, 40001);
    assert.equal(e.details.apiMessage, 'model not supported');
  });

  it('maps HTTP 401 (and an envelope code 401) to unauthorized', () => {
    assert.equal(fails(() => parseAnswer({ status: 401, headers: headers() }, '{"code":401,"message":"bad key"}', submitDataSchema)).kind, 'unauthorized');
    assert.equal(fails(() => parseAnswer({ status: 200, headers: headers() }, '{"code":401,"message":"bad key"}', submitDataSchema)).kind, 'unauthorized');
  });

  it('maps an HTML 502 page to a server error, and 429 with Retry-After to rate limited', () => {
    const html = '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';
    assert.equal(fails(() => parseAnswer({ status: 502, headers: headers({ 'content-type': 'text/html' }) }, html, submitDataSchema)).kind, 'server');
    const limited = fails(() => parseAnswer({ status: 429, headers: headers({ 'retry-after': '7' }) }, '', submitDataSchema));
    assert.equal(limited.kind, 'rateLimited');
    assert.equal(limited.details.retryAfterMs, 7000);
  });

  it('maps malformed JSON and a wrong data shape in a 200 answer to an invalid answer', () => {
    assert.equal(fails(() => parseAnswer({ status: 200, headers: headers() }, '{"code":0,"data":{"task_', submitDataSchema)).kind, 'invalidAnswer');
    assert.equal(fails(() => parseAnswer({ status: 200, headers: headers() }, '{"code":0,"data":{"id":"x"}}', submitDataSchema)).kind, 'invalidAnswer');
    assert.equal(fails(() => parseAnswer({ status: 200, headers: headers() }, '<html>ok</html>', submitDataSchema)).kind, 'invalidAnswer');
  });

  it('maps 404 to not found and other 4xx to a bad request', () => {
    assert.equal(fails(() => parseAnswer({ status: 404, headers: headers() }, '{"code":404,"message":"Task not found"}', taskStatusDataSchema)).kind, 'notFound');
    assert.equal(fails(() => parseAnswer({ status: 400, headers: headers() }, '{"code":400,"message":"bad"}', taskStatusDataSchema)).kind, 'badRequest');
  });
});
