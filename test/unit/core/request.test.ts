import assert from 'node:assert/strict';
import { catalogFromCapabilities, FALLBACK_CATALOG } from '../../../src/core/models';
import { defaultsFor, validateChoice } from '../../../src/core/request';

const catalog = catalogFromCapabilities({
  default_model: 'nano-banana-2',
  models: [
    {
      id: 'nano-banana-2',
      label: 'Nano Banana 2',
      limits: { resolutions: ['1K', '2K', '4K'], n: { min: 1, max: 4 }, aspect_ratios: ['1:1', '16:9'], max_reference_images: 2 },
      pricing: { by_resolution: { '1K': 1, '2K': 2, '4K': 3 } },
    },
    { id: 'seedream-5.0-lite', label: 'Seedream 5.0 Lite', defaults: { resolution: '4K', n: 2 }, limits: { resolutions: ['2K', '4K'], n: { min: 1, max: 3 } } },
  ],
});

describe('request resolution', () => {
  it('uses 2K, 1:1 and n = 1 when nothing is chosen', () => {
    const v = validateChoice(catalog, { prompt: ' a cat ', model: 'nano-banana-2' });
    assert.ok(v.ok);
    assert.deepEqual(
      { prompt: v.request.prompt, resolution: v.request.resolution, aspectRatio: v.request.aspectRatio, n: v.request.n },
      { prompt: 'a cat', resolution: '2K', aspectRatio: '1:1', n: 1 },
    );
  });
  it("uses the model's own defaults when it has them", () => {
    assert.deepEqual(defaultsFor(catalog.models[1]!), { resolution: '4K', aspectRatio: '1:1', n: 2 });
  });
  it('estimates credits as price per image × n', () => {
    const v = validateChoice(catalog, { prompt: 'x', model: 'nano-banana-2', resolution: '4K', n: 3 });
    assert.ok(v.ok);
    assert.equal(v.request.estimatedCredits, 9);
  });
  it('says the price is unknown when the model has no pricing', () => {
    const v = validateChoice(catalog, { prompt: 'x', model: 'seedream-5.0-lite' });
    assert.ok(v.ok);
    assert.equal(v.request.estimatedCredits, null);
  });
  it('refuses a resolution, aspect ratio, count or reference count the model cannot do', () => {
    const v = validateChoice(catalog, { prompt: 'x', model: 'nano-banana-2', resolution: '8K', aspectRatio: '21:9', n: 5, referenceCount: 3 });
    assert.ok(!v.ok);
    assert.deepEqual(v.problems.map((p) => p.code), ['resolutionNotSupported', 'aspectRatioNotSupported', 'countOutOfRange', 'tooManyReferences']);
  });
  it('refuses Seedream at 1K (the seed says it has no 1K)', () => {
    const v = validateChoice(FALLBACK_CATALOG, { prompt: 'x', model: 'seedream-5.0-lite', resolution: '1K' });
    assert.ok(!v.ok);
    assert.equal(v.problems[0]!.code, 'resolutionNotSupported');
    assert.equal(v.problems[0]!.params.allowed, '2K, 4K');
  });
  it('refuses an empty prompt and an unknown model', () => {
    const v = validateChoice(catalog, { prompt: '   ', model: 'dall-e' });
    assert.ok(!v.ok);
    assert.deepEqual(v.problems.map((p) => p.code), ['emptyPrompt', 'unknownModel']);
  });
  it('refuses a fractional count', () => {
    const v = validateChoice(catalog, { prompt: 'x', model: 'nano-banana-2', n: 1.5 });
    assert.ok(!v.ok);
  });
});
