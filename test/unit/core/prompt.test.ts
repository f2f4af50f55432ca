import assert from 'node:assert/strict';
import { assessPrompt } from '../../../src/core/prompt/vagueness';
import { promptLanguage, refinePrompt } from '../../../src/core/prompt/refine';

describe('vague prompt check', () => {
  const vague = ['a cat', 'dog', 'logo', 'a red car please', 'something cool for my blog', '一只猫', '风景', '帮我画个头像'];
  const rich = [
    'A ginger cat sleeping on a windowsill in soft morning light, photorealistic, close-up',
    'Product shot of a ceramic coffee mug on a wooden table, studio lighting',
    'watercolor illustration of a fox in a snowy forest',
    'A lighthouse on a cliff at sunset',
    '一只橘猫在窗台上睡觉，柔和的晨光，写实摄影，特写',
    '雪地森林里的一只狐狸，水彩插画风格',
  ];
  for (const prompt of vague) it(`finds ${JSON.stringify(prompt)} vague`, () => assert.equal(assessPrompt(prompt).vague, true, JSON.stringify(assessPrompt(prompt))));
  for (const prompt of rich) it(`finds ${JSON.stringify(prompt)} rich enough`, () => assert.equal(assessPrompt(prompt).vague, false, JSON.stringify(assessPrompt(prompt))));
  it('says nothing of an empty prompt (the form says it is required)', () => assert.equal(assessPrompt('  ').vague, false));
  it('lists what is missing', () => {
    const a = assessPrompt('A lighthouse on a cliff at sunset');
    assert.ok(a.present.includes('setting') && a.present.includes('lighting'));
    assert.ok(a.missing.includes('style') && a.missing.includes('framing'));
  });
});

describe('guided refinement', () => {
  it('keeps the idea first and adds the choices, in English', () => {
    assert.equal(
      refinePrompt('a cat.', { style: 'photo', lighting: 'golden', framing: 'closeUp', background: 'blurred' }),
      'a cat, a high-resolution photograph, a close-up shot, warm golden-hour light, a softly blurred background.',
    );
  });
  it('writes Chinese for a Chinese prompt', () => {
    assert.equal(promptLanguage('一只猫'), 'zh');
    assert.equal(refinePrompt('一只猫', { style: 'watercolor', background: 'nature' }), '一只猫，柔和的水彩画，自然户外场景。');
  });
  it('leaves the prompt alone when nothing is chosen', () => assert.equal(refinePrompt('a cat', {}), 'a cat'));
  it('makes a prompt that is no longer vague', () => {
    assert.equal(assessPrompt(refinePrompt('a cat', { style: 'illustration', lighting: 'soft' })).vague, false);
    assert.equal(assessPrompt(refinePrompt('一只猫', { style: 'photo', framing: 'closeUp' })).vague, false);
  });
});
