// The webview's requests to the host. Every request has an id, and the host answers each one
// with a `reply` of the same id. The control that sent a request is disabled (and marked busy)
// until its reply, and a reply's error is shown right after that control.
import type { WebviewToHost } from '../core/panelMessages';
import { showMessageAfter } from './dom';

export type Request = WebviewToHost extends infer M ? (M extends { requestId: number } ? Omit<M, 'requestId'> : never) : never;

interface Pending {
  control?: HTMLButtonElement;
  onReply?: (error: string | undefined) => void;
}

export class Requests {
  private next = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly post: (message: WebviewToHost) => void) {}

  /** Sends `message`; `control` waits for the reply (disabled), `onReply` hears how it went. */
  send(message: Request, options: Pending = {}): number {
    const requestId = this.next++;
    if (options.control) {
      options.control.disabled = true;
      options.control.setAttribute('aria-busy', 'true');
      showMessageAfter(options.control, undefined);
    }
    this.pending.set(requestId, options);
    this.post({ ...message, requestId } as WebviewToHost);
    return requestId;
  }

  /** Whether a request sent from `control` still waits for its reply. */
  isWaiting(control: HTMLElement): boolean {
    return [...this.pending.values()].some((p) => p.control === control);
  }

  /** The host's reply: the control is enabled again and its error, if any, shown beside it. Returns false for an unknown id. */
  settle(requestId: number, error: string | undefined): boolean {
    const entry = this.pending.get(requestId);
    if (!entry) return false;
    this.pending.delete(requestId);
    if (entry.control) {
      entry.control.disabled = false;
      entry.control.removeAttribute('aria-busy');
      showMessageAfter(entry.control, error);
    }
    entry.onReply?.(error);
    return true;
  }
}
