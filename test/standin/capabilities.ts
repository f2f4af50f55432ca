import type { ImageCapabilities, ModelCapabilities } from './types';

const ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4'];

function model(
  id: string,
  label: string,
  byResolution: Record<string, number>,
  maxReferenceImages: number,
): ModelCapabilities {
  return {
    id,
    label,
    defaults: { resolution: '2K', n: 1, aspect_ratio: '1:1' },
    limits: {
      resolutions: Object.keys(byResolution),
      n: { min: 1, max: 4 },
      aspect_ratios: [...ASPECT_RATIOS],
      max_reference_images: maxReferenceImages,
    },
    pricing: { currency: 'credits', unit: 'image', by_resolution: { ...byResolution } },
  };
}

/** A fresh copy of the default `data.capabilities.image` (the contract's model table). */
export function defaultCapabilities(): ImageCapabilities {
  return {
    default_model: 'nano-banana-2',
    models: [
      model('seedream-5.0-lite', 'Seedream 5.0 Lite', { '2K': 1, '4K': 2 }, 3),
      model('nano-banana-pro', 'Nano Banana Pro', { '1K': 2, '2K': 3, '4K': 4 }, 5),
      model('nano-banana-2', 'Nano Banana 2', { '1K': 1, '2K': 2, '4K': 3 }, 5),
    ],
  };
}

export function findModel(caps: ImageCapabilities, id: string): ModelCapabilities | undefined {
  return caps.models.find((m) => m.id === id);
}
