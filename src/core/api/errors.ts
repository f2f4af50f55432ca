// Typed failures of a CreatOK call. `kind` lets callers decide (retry? tell the user what?)
// without string matching; `detail` is for the log only and never holds the API key.

export type CreatOkErrorKind =
  | 'unauthorized'
  | 'rateLimited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'invalidAnswer'
  | 'apiError'
  | 'notFound'
  | 'badRequest'
  /** The extension's own settings forbid the call (a refused base URL): nothing was sent. */
  | 'config'
  | 'cancelled';

export class CreatOkError extends Error {
  constructor(
    readonly kind: CreatOkErrorKind,
    message: string,
    readonly details: {
      status?: number;
      code?: number;
      apiMessage?: string;
      retryAfterMs?: number;
      /** true when the request body may have reached the server (matters for the paid submit). */
      mayHaveReachedServer?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message);
    this.name = 'CreatOkError';
  }

  get status(): number | undefined {
    return this.details.status;
  }
}
