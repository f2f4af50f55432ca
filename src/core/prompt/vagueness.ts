// Is a prompt too thin to give a good image? Few words, and nothing about the setting, the
// style or lighting, or the framing. English and Chinese. A vague prompt wastes paid credits,
// so the panel offers to refine it before Generate.

export type PromptAspect = 'setting' | 'style' | 'lighting' | 'framing';

const ASPECT_WORDS: Record<PromptAspect, { en: string[]; zh: string[] }> = {
  setting: {
    en: ['background', 'on a', 'on the', 'in a', 'in the', 'at the', 'at a', 'beach', 'studio', 'forest', 'city', 'street', 'room', 'table', 'desk', 'sky', 'mountain', 'garden', 'kitchen', 'office', 'space', 'ocean', 'field', 'indoors', 'outdoors'],
    zh: ['背景', '在', '场景', '海边', '沙滩', '森林', '城市', '街', '房间', '桌', '天空', '山', '花园', '厨房', '办公室', '室内', '室外', '草地'],
  },
  style: {
    en: ['style', 'photo', 'photograph', 'photorealistic', 'realistic', 'illustration', 'watercolor', 'watercolour', 'oil painting', 'painting', 'sketch', 'anime', 'cartoon', '3d', 'render', 'cinematic', 'minimalist', 'vintage', 'pixel art', 'flat', 'isometric'],
    zh: ['风格', '照片', '摄影', '写实', '插画', '水彩', '油画', '素描', '动漫', '卡通', '3d', '渲染', '电影感', '极简', '复古', '像素'],
  },
  lighting: {
    en: ['light', 'lighting', 'lit', 'sunset', 'sunrise', 'golden hour', 'dusk', 'dawn', 'night', 'neon', 'shadow', 'soft', 'dramatic', 'backlit', 'glow'],
    zh: ['光', '灯', '日落', '日出', '黄昏', '夜', '霓虹', '阴影', '柔和', '逆光'],
  },
  framing: {
    en: ['close-up', 'closeup', 'wide shot', 'wide-angle', 'portrait', 'full body', 'top view', 'overhead', 'aerial', 'macro', 'side view', 'front view', 'centered', 'composition'],
    zh: ['特写', '广角', '全身', '俯视', '俯拍', '航拍', '微距', '侧面', '正面', '居中', '构图'],
  },
};

export interface PromptAssessment {
  /** Words (English) plus Chinese characters / 2, roughly comparable. */
  size: number;
  present: PromptAspect[];
  missing: PromptAspect[];
  vague: boolean;
}

const CJK = /[\u3400-\u9fff]/g;

function mentions(prompt: string, words: { en: string[]; zh: string[] }): boolean {
  const lower = ` ${prompt.toLowerCase().replace(/[^\p{L}\p{N}-]+/gu, ' ')} `;
  return words.en.some((w) => lower.includes(` ${w} `)) || words.zh.some((w) => prompt.includes(w));
}

export function assessPrompt(prompt: string): PromptAssessment {
  const text = prompt.trim();
  const englishWords = (text.replace(CJK, ' ').match(/[\p{L}\p{N}]+/gu) ?? []).length;
  const chinese = (text.match(CJK) ?? []).length;
  const size = englishWords + chinese / 2;
  const aspects = Object.keys(ASPECT_WORDS) as PromptAspect[];
  const present = aspects.filter((a) => mentions(text, ASPECT_WORDS[a]));
  const missing = aspects.filter((a) => !present.includes(a));
  // Thin: a handful of words, or a short prompt that says nothing of setting, style, light or framing.
  const vague = text.length > 0 && (size < 4 || (size < 10 && present.length === 0));
  return { size, present, missing, vague };
}
