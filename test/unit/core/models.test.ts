import assert from 'node:assert/strict';
import { catalogFromCapabilities, FALLBACK_CATALOG, guessUseCase, recommendModel, type Catalog } from '../../../src/core/models';

describe('use-case guess', () => {
  const cases: [string, string][] = [
    ['A studio portrait of an old fisherman, soft light', 'portrait'],
    ['headshot of a woman for LinkedIn', 'portrait'],
    ['一张女孩的写真人像，柔和光线', 'portrait'],
    ['Product shot of a perfume bottle on marble for e-commerce', 'product'],
    ['电商主图：白色背景上的运动鞋', 'product'],
    ['Concept art of a floating city, fantasy illustration', 'illustration'],
    ['水彩插画风格的森林小屋', 'illustration'],
    ['quick draft of a logo idea', 'preview'],
    ['快速草图：一个机器人', 'preview'],
    ['a red bicycle', 'general'],
    ['', 'general'],
  ];
  for (const [prompt, expected] of cases) {
    it(`${JSON.stringify(prompt)} → ${expected}`, () => assert.equal(guessUseCase(prompt), expected));
  }
  it('matches English words on word boundaries only', () => {
    assert.equal(guessUseCase('a manhole cover'), 'general', '"man" inside "manhole" is no portrait');
  });
});

describe('model recommendation (the seed table)', () => {
  const catalog = FALLBACK_CATALOG;
  it('portrait → nano-banana-2', () => assert.deepEqual(recommendModel(catalog, 'portrait'), { modelId: 'nano-banana-2', reason: 'portrait' }));
  it('product → nano-banana-pro', () => assert.deepEqual(recommendModel(catalog, 'product'), { modelId: 'nano-banana-pro', reason: 'product' }));
  it('illustration → nano-banana-2', () => assert.deepEqual(recommendModel(catalog, 'illustration'), { modelId: 'nano-banana-2', reason: 'illustration' }));
  it('quick preview → seedream-5.0-lite', () => assert.deepEqual(recommendModel(catalog, 'preview'), { modelId: 'seedream-5.0-lite', reason: 'preview' }));
  it('general → the default model', () => assert.equal(recommendModel(catalog, 'general').modelId, 'nano-banana-2'));
  it('1K wanted → a model that has 1K, never Seedream', () => {
    const rec = recommendModel(catalog, 'preview', '1K');
    assert.equal(rec.reason, 'wants1K');
    assert.ok(['nano-banana-2', 'nano-banana-pro'].includes(rec.modelId));
  });
  it('falls back to the default model when the preferred one does not exist', () => {
    const only: Catalog = { source: 'server', defaultModel: 'x', models: [{ id: 'x', limits: { resolutions: ['2K'], n: { min: 1, max: 1 } } }] };
    assert.deepEqual(recommendModel(only, 'product'), { modelId: 'x', reason: 'unavailable' });
  });
  it('takes the server default model only when it exists', () => {
    const catalog2 = catalogFromCapabilities({ default_model: 'gone', models: [{ id: 'a', limits: { resolutions: ['2K'], n: { min: 1, max: 1 } } }] });
    assert.equal(catalog2.defaultModel, 'a');
  });
});
