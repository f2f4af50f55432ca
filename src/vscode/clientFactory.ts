// The CreatOK client for the current settings: made again when the base URL or the timeout
// changes; a refused base URL throws (kind "config") so that nothing is sent anywhere.
import { CreatOkClient } from '../core/api/client';
import { CreatOkError } from '../core/api/errors';
import type { Logger } from '../core/log';
import type { Settings } from './settings';

export function clientFactory(settings: () => Settings, apiKey: () => Promise<string | undefined>, logger: Logger): () => CreatOkClient {
  let client: CreatOkClient | undefined;
  let timeout = 0;
  return () => {
    const { baseUrl, timeoutMs, baseUrlRefused } = settings();
    if (baseUrlRefused) throw new CreatOkError('config', baseUrlRefused, { mayHaveReachedServer: false });
    if (!client || client.baseUrl !== baseUrl || timeout !== timeoutMs) {
      client = new CreatOkClient({ baseUrl, apiKey, logger, timeoutMs });
      timeout = timeoutMs;
    }
    return client;
  };
}
