// The model catalogue: the capabilities endpoint first, the seed's table when it fails.
import type { CreatOkClient } from '../core/api/client';
import type { Logger } from '../core/log';
import { catalogFromCapabilities, FALLBACK_CATALOG, type Catalog } from '../core/models';

const FRESH_MS = 10 * 60_000;

export class CatalogService {
  private cached: { catalog: Catalog; at: number } | undefined;
  private pending: Promise<Catalog> | undefined;

  constructor(
    private readonly client: () => CreatOkClient,
    private readonly hasKey: () => Promise<boolean>,
    private readonly logger: Logger,
  ) {}

  /** The catalogue; a fallback one is retried on the next call. */
  get(force = false): Promise<Catalog> {
    if (!force && this.cached && this.cached.catalog.source === 'server' && Date.now() - this.cached.at < FRESH_MS) {
      return Promise.resolve(this.cached.catalog);
    }
    this.pending ??= this.load().finally(() => (this.pending = undefined));
    return this.pending;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async load(): Promise<Catalog> {
    try {
      if (!(await this.hasKey())) return FALLBACK_CATALOG;
      const { image } = await this.client().getCapabilities();
      const catalog = catalogFromCapabilities(image);
      this.cached = { catalog, at: Date.now() };
      this.logger.info(`capabilities: ${catalog.models.map((m) => m.id).join(', ')} (default ${catalog.defaultModel})`);
      return catalog;
    } catch (error) {
      this.logger.warn(`capabilities: unavailable, using the built-in model table (${(error as Error).message})`);
      this.cached = { catalog: FALLBACK_CATALOG, at: Date.now() };
      return FALLBACK_CATALOG;
    }
  }
}
