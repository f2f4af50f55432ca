// The catalogue as the panel needs it: every option already limited to what the model can do.
import { aspectRatiosOf, modelLabel, type Catalog } from './models';
import type { PanelCatalog } from './panelMessages';
import { defaultsFor } from './request';

export function toPanelCatalog(catalog: Catalog): PanelCatalog {
  return {
    source: catalog.source,
    defaultModel: catalog.defaultModel,
    models: catalog.models.map((m) => ({
      id: m.id,
      label: modelLabel(m),
      resolutions: m.limits.resolutions,
      aspectRatios: aspectRatiosOf(m),
      nMin: m.limits.n.min,
      nMax: m.limits.n.max,
      maxReferenceImages: m.limits.max_reference_images ?? 0,
      pricePerImage: m.pricing?.by_resolution ?? null,
      currency: m.pricing?.currency ?? 'credits',
      defaults: defaultsFor(m),
    })),
  };
}
