// The core logs through this interface; the VS Code layer maps it to a LogOutputChannel.
// Callers must never pass the API key: use `redact` on anything that might hold it.

export interface Logger {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { trace() {}, info() {}, warn() {}, error() {} };

/** Replaces bearer tokens and `ok_...` keys in free text. */
export function redact(text: string): string {
  return text.replace(/Bearer\s+[^\s"',]+/gi, 'Bearer ***').replace(/\bok_[A-Za-z0-9_-]{4,}/g, 'ok_***');
}
