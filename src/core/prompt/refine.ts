// The guided refinement: a few choices (style, lighting, framing, background) turn a thin
// prompt into a richer one in the user's language, with no network call.

export const REFINE_CHOICES = {
  style: ['photo', 'illustration', 'watercolor', '3d', 'anime', 'minimalist'],
  lighting: ['soft', 'golden', 'studio', 'dramatic', 'night'],
  framing: ['closeUp', 'wide', 'topDown', 'centered'],
  background: ['plain', 'nature', 'city', 'interior', 'blurred'],
} as const;

export type RefineAspect = keyof typeof REFINE_CHOICES;
export type RefineChoices = { [K in RefineAspect]?: (typeof REFINE_CHOICES)[K][number] };
export type PromptLanguage = 'en' | 'zh';

const PHRASES: Record<PromptLanguage, { [K in RefineAspect]: Record<(typeof REFINE_CHOICES)[K][number], string> }> = {
  en: {
    style: { photo: 'a high-resolution photograph', illustration: 'a detailed digital illustration', watercolor: 'a soft watercolor painting', '3d': 'a polished 3D render', anime: 'an anime-style illustration', minimalist: 'a clean minimalist design' },
    lighting: { soft: 'soft, diffused natural light', golden: 'warm golden-hour light', studio: 'bright, even studio lighting', dramatic: 'dramatic light with deep shadows', night: 'moody night-time lighting' },
    framing: { closeUp: 'a close-up shot', wide: 'a wide shot showing the surroundings', topDown: 'a top-down view', centered: 'a centered, balanced composition' },
    background: { plain: 'a plain, uncluttered background', nature: 'a natural outdoor setting', city: 'a city street setting', interior: 'a cozy interior setting', blurred: 'a softly blurred background' },
  },
  zh: {
    style: { photo: '高清摄影照片', illustration: '精细的数字插画', watercolor: '柔和的水彩画', '3d': '精致的 3D 渲染', anime: '动漫风格插画', minimalist: '简洁的极简设计' },
    lighting: { soft: '柔和的自然散射光', golden: '温暖的黄金时段光线', studio: '明亮均匀的影棚光', dramatic: '带有深色阴影的戏剧性光线', night: '氛围感夜景灯光' },
    framing: { closeUp: '特写镜头', wide: '展示周围环境的远景', topDown: '俯视视角', centered: '居中、均衡的构图' },
    background: { plain: '干净简洁的背景', nature: '自然户外场景', city: '城市街道场景', interior: '温馨的室内场景', blurred: '柔和虚化的背景' },
  },
};

/** Chinese when the prompt is mostly Chinese, else English. */
export function promptLanguage(prompt: string): PromptLanguage {
  const chinese = (prompt.match(/[\u3400-\u9fff]/g) ?? []).length;
  const latin = (prompt.match(/[A-Za-z]/g) ?? []).length;
  return chinese > 0 && chinese * 2 >= latin ? 'zh' : 'en';
}

/** The user's idea first, then what they chose, in the prompt's own language. */
export function refinePrompt(prompt: string, choices: RefineChoices, language: PromptLanguage = promptLanguage(prompt)): string {
  const idea = prompt.trim().replace(/[.。!！]+$/u, '');
  const phrases = PHRASES[language];
  const parts: string[] = [];
  if (choices.style) parts.push(phrases.style[choices.style]);
  if (choices.framing) parts.push(phrases.framing[choices.framing]);
  if (choices.lighting) parts.push(phrases.lighting[choices.lighting]);
  if (choices.background) parts.push(phrases.background[choices.background]);
  if (parts.length === 0) return prompt;
  return language === 'zh' ? `${idea}，${parts.join('，')}。` : `${idea}, ${parts.join(', ')}.`;
}
